// Runs before the wasm starts: how the page's WebGL context is made.
//
// ebiten asks for a WebGL2 context with the browser's default antialias:
// true, a multisampled canvas. The page draws every shape with its own
// smooth edges (sprites from an atlas, a shader for the nodes), so
// multisampling only adds cost: on a software renderer it multiplied the
// work of every pixel of every frame. ebiten has no option for it, hence
// this wrapper around getContext (docs/architecture.md).
//
// It also notes which renderer WebGL runs on, so that the page can tell a
// software renderer (SwiftShader, llvmpipe: no GPU, or a blocklisted one)
// and draw less there (window.gossipscopeGL, read by the wasm and shown
// by the page's badge).
(() => {
  "use strict";
  const info = (window.gossipscopeGL = { renderer: "", software: false, devicePixelRatio: 1, cappedResolution: false, made: false });
  // Read now: the page rewrites its address once the wasm starts.
  info.deviceResolution = new URLSearchParams(location.search).get("resolution") === "device";
  const proto = window.HTMLCanvasElement && HTMLCanvasElement.prototype;
  if (!proto || !proto.getContext) return;
  const getContext = proto.getContext;
  proto.getContext = function (type, attrs) {
    if (type !== "webgl2" && type !== "webgl") return getContext.call(this, type, attrs);
    const ctx = getContext.call(this, type, Object.assign({}, attrs, { antialias: false }));
    if (ctx) info.made = true; // the page may resize the canvas from now on (page.js placeCanvas)
    if (ctx && !info.renderer) {
      try {
        const ext = ctx.getExtension("WEBGL_debug_renderer_info");
        info.renderer = String(ctx.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : ctx.RENDERER) || "");
      } catch (e) {
        info.renderer = "";
      }
      info.software = /swiftshader|llvmpipe|softpipe|software|basic render/i.test(info.renderer);
      // On a software renderer every pixel costs CPU: draw at the page's
      // CSS resolution (the browser scales the canvas up) rather than at
      // 2 or 3 device pixels per CSS pixel, 4 to 9 times the work. ebiten
      // sizes its canvas from devicePixelRatio, read after this.
      // The link's resolution=device keeps the device's resolution anyway.
      info.devicePixelRatio = window.devicePixelRatio || 1;
      if (info.software && info.devicePixelRatio > 1 && !info.deviceResolution) {
        try {
          Object.defineProperty(window, "devicePixelRatio", { get: () => 1, configurable: true });
          info.cappedResolution = true;
        } catch (e) {
          info.cappedResolution = false;
        }
      }
    }
    return ctx;
  };
})();
