package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Webhook POSTs messages as JSON to URL, as Alertmanager's webhook
// receiver; a 2xx answer is success.
type Webhook struct {
	URL    string
	Client *http.Client // nil: a client with a 10 s timeout
}

var webhookClient = &http.Client{Timeout: 10 * time.Second}

// Send makes one attempt.
func (w *Webhook) Send(ctx context.Context, m *Message) (string, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "gossipscope")
	c := w.Client
	if c == nil {
		c = webhookClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("unexpected status %s", resp.Status)
	}
	return resp.Status, nil
}
