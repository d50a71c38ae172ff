// Bundles ODK Web Forms (with Vue) into Haven's static files as an ES module. The map
// widget, which Haven's forms never show, is split into a chunk loaded only if asked for.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
await build({
  entryPoints: [path.join(here, "webform.js")],
  outdir: path.join(here, "..", "static", "assessments", "build"),
  bundle: true,
  minify: true,
  format: "esm",
  splitting: true,
  target: ["chrome100", "firefox100", "safari15"],
  legalComments: "linked",
  logLevel: "warning",
  define: {
    "process.env.NODE_ENV": '"production"',
    __VUE_OPTIONS_API__: "true",
    __VUE_PROD_DEVTOOLS__: "false",
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "false",
  },
});
