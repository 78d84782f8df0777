// Report the first screen drawn, as the app's UI does (its `uiReady` call after the first frame).
requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke("ui_ready", { screen: document.querySelector("h1").textContent }));
