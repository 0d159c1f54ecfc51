//go:build tools

// Package deps pins modules that parts of the tree under construction need,
// so that `go mod tidy` keeps them while the code that imports them lands.
package deps

import (
	_ "github.com/chromedp/chromedp"
	_ "github.com/coder/websocket"
	_ "github.com/hajimehoshi/ebiten/v2"
	_ "github.com/hashicorp/memberlist"
	_ "github.com/prometheus/alertmanager/cluster/clusterpb"
	_ "github.com/prometheus/alertmanager/nflog/nflogpb"
	_ "github.com/prometheus/alertmanager/silence/silencepb"
)
