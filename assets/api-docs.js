// The API reference page (/api/docs): Swagger UI (npm swagger-ui-dist, copied into the site by
// scripts/build-site.sh) reading the document the server generates. A file of its own, not an
// inline script: the page's CSP allows scripts from this origin only.
"use strict";
window.ui = SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#docs",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  deepLinking: true,
  docExpansion: "list",
  defaultModelsExpandDepth: 0,
  displayOperationId: false,
  // Reading, not calling: a key pasted into a page is a key on a screen.
  supportedSubmitMethods: [],
  onComplete: () => document.body.setAttribute("data-ready", ""),
});
