package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The shared fixtures: one server binary, one browser, a tab per test.
var (
	repoRoot   string
	serverBin  string // built once in TestMain
	server     *serverProc
	browserCtx context.Context
	// notReady says why browser tests cannot run here ("" = they can).
	notReady string
	// serverErr says why the server could not be built or started.
	serverErr string
)

// Window is the fixed browser window the tests and the benchmark use.
const (
	windowW = 1024
	windowH = 768
)

func TestMain(m *testing.M) { os.Exit(runMain(m)) }

func runMain(m *testing.M) int {
	root, err := filepath.Abs("..")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	repoRoot = root
	tmp, err := os.MkdirTemp("", "gossipscope-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	if _, err := os.Stat(filepath.Join(root, "web", "gossipscope.wasm")); err != nil {
		serverErr = "web/gossipscope.wasm is not built (run `make wasm`)"
		notReady = serverErr
		return m.Run()
	}
	serverBin = filepath.Join(tmp, "gossipscope")
	if out, err := buildServer(root, serverBin); err != nil {
		serverErr = fmt.Sprintf("building the server: %v\n%s", err, out)
		notReady = serverErr
		return m.Run()
	}
	server, err = startServer(serverBin)
	if err != nil {
		serverErr = "starting the server: " + err.Error()
		notReady = serverErr
		return m.Run()
	}
	defer server.stop()

	chrome := findChromium()
	if chrome == "" {
		notReady = "chromium not found (set CHROMIUM or put chromium on PATH)"
		return m.Run()
	}
	ctx, cancel, err := startBrowser(chrome, filepath.Join(tmp, "chrome-profile"))
	if err != nil {
		notReady = "starting chromium: " + err.Error()
		return m.Run()
	}
	defer cancel()
	browserCtx = ctx
	return m.Run()
}

// needBrowser skips a test that needs the page in a browser when this
// machine cannot run it, and fails it under CI, where it must run.
func needBrowser(tb testing.TB) {
	tb.Helper()
	if notReady == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("browser tests cannot run under CI: %s", notReady)
	}
	tb.Skip(notReady)
}

// needServer is needBrowser for tests that only need the server binary.
func needServer(tb testing.TB) {
	tb.Helper()
	if serverErr == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("server tests cannot run under CI: %s", serverErr)
	}
	tb.Skip(serverErr)
}

func buildServer(root, out string) ([]byte, error) {
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, "./cmd/gossipscope")
	cmd.Dir = root
	return cmd.CombinedOutput()
}

func findChromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		if full, err := exec.LookPath(p); err == nil {
			return full
		}
		return ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if full, err := exec.LookPath(name); err == nil {
			return full
		}
	}
	return ""
}

// serverProc is a running gossipscope binary.
type serverProc struct {
	cmd    *exec.Cmd
	url    string // "http://127.0.0.1:port/"
	mu     sync.Mutex
	output bytes.Buffer // stdout and stderr after the address line
	done   chan struct{}
}

var servingRE = regexp.MustCompile(`serving (http://\S+)`)

// startServer runs `gossipscope serve` on a free loopback port, plus extra
// flags, and waits for it to print its address.
func startServer(bin string, extra ...string) (*serverProc, error) {
	return startCommand(bin, "serve", extra...)
}

// startCommand runs a serving subcommand of gossipscope ("serve",
// "observe", ...) on a free loopback port, plus extra flags, and waits for
// it to print its address.
func startCommand(bin, sub string, extra ...string) (*serverProc, error) {
	args := append([]string{sub, "--web.listen-address", "127.0.0.1:0"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &serverProc{cmd: cmd, done: make(chan struct{})}
	cmd.Stderr = &lockedWriter{mu: &s.mu, w: &s.output}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { cmd.Wait(); close(s.done) }()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if m := servingRE.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
			s.mu.Lock()
			s.output.WriteString(line + "\n")
			s.mu.Unlock()
		}
	}()
	select {
	case u := <-found:
		s.url = strings.TrimSuffix(u, "/") + "/"
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("server exited: %s", s.log())
	case <-time.After(60 * time.Second):
		s.stop()
		return nil, fmt.Errorf("server printed no address in 60 s: %s", s.log())
	}
}

func (s *serverProc) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.output.String()
}

// stop asks the server to shut down (SIGINT, as Ctrl-C) and kills it if it
// does not within 10 s.
func (s *serverProc) stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// startBrowser starts headless Chromium with the project's standard flags
// and a fresh profile. WebGL runs on SwiftShader (the CPU): headless
// Chromium has no GPU here, and since Chromium 137 SwiftShader must be
// asked for explicitly.
func startBrowser(path, profile string) (context.Context, context.CancelFunc, error) {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("use-angle", "swiftshader"),
		chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(windowW, windowH),
		chromedp.UserDataDir(profile),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	cancel := func() { bcancel(); acancel() }
	// The first Run starts the browser; it must not carry a timeout, so a
	// watchdog cancels it instead if Chromium never answers.
	started := make(chan error, 1)
	go func() {
		started <- chromedp.Do(bctx, chromedp.Navigate("about:blank"))
	}()
	select {
	case err := <-started:
		if err != nil {
			cancel()
			return nil, nil, err
		}
	case <-time.After(60 * time.Second):
		cancel()
		return nil, nil, errors.New("chromium did not start within 60 s")
	}
	return bctx, cancel, nil
}

// newTab opens a fresh tab of the shared browser at the fixed window size,
// closed when the test ends. Every action in it is bounded by timeout.
func newTab(tb testing.TB, timeout time.Duration) context.Context {
	tb.Helper()
	needBrowser(tb)
	tctx, tcancel := chromedp.NewContext(browserCtx)
	ctx, cancel := context.WithTimeout(tctx, timeout)
	tb.Cleanup(func() { cancel(); tcancel() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(windowW, windowH)); err != nil {
		tb.Fatalf("opening a tab: %v", err)
	}
	return ctx
}

// pageURL is the server's page with the given query ("" for none).
func pageURL(query string) string {
	if query == "" {
		return server.url
	}
	return server.url + "?" + strings.TrimPrefix(query, "?")
}

// openPage navigates to the page and waits until the wasm is ready. It
// fails the test with the page's own message if booting failed.
func openPage(tb testing.TB, ctx context.Context, url string) {
	tb.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		tb.Fatalf("navigate %s: %v", url, err)
	}
	waitFor(tb, ctx, 60*time.Second, "the wasm to start",
		`window.gossipscopePage && (gossipscopePage.ready || document.body.classList.contains("boot-failed"))`)
	if failed := eval[bool](tb, ctx, `document.body.classList.contains("boot-failed")`); failed {
		tb.Fatalf("the page did not boot: %s", eval[string](tb, ctx, `document.getElementById("boot-text").textContent`))
	}
}

// eval evaluates a JS expression in the page and decodes its value.
func eval[T any](tb testing.TB, ctx context.Context, js string) T {
	tb.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		tb.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// waitFor polls a JS condition every 50 ms until it is truthy or the time
// is up.
func waitFor(tb testing.TB, ctx context.Context, d time.Duration, what, cond string) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+cond+")"))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("waited %v for %s (%s): last error %v", d, what, cond, err)
		}
		select {
		case <-ctx.Done():
			tb.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// pageState is the JS API's state(), the fields the tests read.
type pageState struct {
	T            float64         `json:"t"`
	Duration     float64         `json:"duration"`
	Playing      bool            `json:"playing"`
	Speed        float64         `json:"speed"`
	Round        int             `json:"round"`
	Nodes        int             `json:"nodes"`
	Informed     int             `json:"informed"`
	Alive        int             `json:"alive"`
	Messages     int             `json:"messages"`
	Redundant    int             `json:"redundant"`
	Lost         int             `json:"lost"`
	Done         bool            `json:"done"`
	Source       string          `json:"source"`
	Key          string          `json:"key"`
	Narration    string          `json:"narration"`
	TheoryRounds float64         `json:"theoryRounds"`
	Selected     json.RawMessage `json:"selected"`
	Error        string          `json:"error"`
	FPS          float64         `json:"fps"`
	DrawMs       float64         `json:"drawMs"`
	DrawMaxMs    float64         `json:"drawMaxMs"`
	DrawSlowest  json.RawMessage `json:"drawSlowest"`
	Packets      int             `json:"packets"`
	Frames       float64         `json:"frames"`
	Idle         bool            `json:"idle"`
	Software     bool            `json:"software"`
}

func state(tb testing.TB, ctx context.Context) pageState {
	tb.Helper()
	return eval[pageState](tb, ctx, `gossipscope.state()`)
}

// apiResult is the {ok, error, ...} the JS API answers with.
type apiResult struct {
	OK      bool   `json:"ok"`
	Error   string `json:"error"`
	Events  int    `json:"events"`
	Skipped int    `json:"skipped"`
}

// api calls gossipscope.<expr> and decodes its {ok, error} answer; calls
// that answer nothing count as ok.
func api(tb testing.TB, ctx context.Context, expr string) apiResult {
	tb.Helper()
	raw := eval[json.RawMessage](tb, ctx, `(() => { const r = gossipscope.`+expr+`; return r === undefined ? {ok: true} : r; })()`)
	var r apiResult
	if err := json.Unmarshal(raw, &r); err != nil {
		// A plain value (say, a string) is an answer too.
		return apiResult{OK: true}
	}
	if len(raw) > 0 && raw[0] == '{' && !bytes.Contains(raw, []byte(`"ok"`)) {
		r.OK = true
	}
	return r
}

// artifactPath is where a test keeps a file for people to look at.
func artifactPath(tb testing.TB, name string) string {
	tb.Helper()
	dir := filepath.Join(repoRoot, "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatalf("artifacts dir: %v", err)
	}
	return filepath.Join(dir, name)
}

// waitShown waits until the browser has shown what the page drew last:
// two animation frames later, the frame drawn before them is on screen
// (under load a screenshot taken at once may still show the one before).
func waitShown(tb testing.TB, ctx context.Context) {
	tb.Helper()
	eval[bool](tb, ctx, `(window.__shown = false, requestAnimationFrame(() => requestAnimationFrame(() => { window.__shown = true })), true)`)
	waitFor(tb, ctx, 10*time.Second, "the frame on screen", `window.__shown === true`)
}

// frameAfter runs do and waits until the page has drawn the new frame it
// makes and the browser shows it.
func frameAfter(tb testing.TB, ctx context.Context, what string, do func()) {
	tb.Helper()
	f0 := eval[float64](tb, ctx, `gossipscope.state().frames`)
	do()
	waitFor(tb, ctx, 10*time.Second, what, `gossipscope.state().frames > `+strconv.FormatFloat(f0, 'f', -1, 64))
	waitShown(tb, ctx)
}

// frameAfterCall is frameAfter for one API call, which must succeed.
func frameAfterCall(tb testing.TB, ctx context.Context, what, call string) {
	tb.Helper()
	frameAfter(tb, ctx, what, func() {
		if r := api(tb, ctx, call); !r.OK {
			tb.Fatalf("%s: %s", call, r.Error)
		}
	})
}
