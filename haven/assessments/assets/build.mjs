// Bundles ODK Web Forms (with Vue) into Haven's static files as an ES module. The map
// widget, shown only where a form asks for a map, is split into a chunk loaded only then.
import { build } from "esbuild";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import path from "node:path";

// The engine's stylesheet carries the Roboto font in 27 embedded files (0.9 MB, which
// compression cannot shrink). Haven's pages use the device's own fonts, which also cover
// Arabic and Ge'ez script where Roboto does not: the embedded copies are left out.
const withoutEmbeddedFonts = {
  name: "without-embedded-fonts",
  setup(bundler) {
    bundler.onLoad({ filter: /@getodk[\\/]web-forms[\\/]dist[\\/]index\.js$/ }, async (args) => ({
      contents: (await readFile(args.path, "utf8")).replace(/@font-face\{[^}]*\}/g, ""),
      loader: "js",
    }));
  },
};

// The engine shows a location question on a map (OpenStreetMap tiles, fetched online)
// whenever it reopens a kept instance, which is how Haven resumes every draft. Without the
// form asking for a map (`maps`, `placement-map`), Haven keeps the engine's own map-free
// control instead: the device's position, saved with its accuracy, online or offline.
const GEOPOINT_MAP_IN_EDIT_MODE =
  'unref(tA) || eA.node.appearances["placement-map"] || eA.node.appearances.maps ?';
const mapOnlyWhenAsked = {
  name: "map-only-when-asked",
  setup(bundler) {
    bundler.onLoad({ filter: /@getodk[\\/]web-forms[\\/]dist[\\/]index-[^\\/]+\.js$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      if (!source.includes(GEOPOINT_MAP_IN_EDIT_MODE)) {
        throw new Error("ODK Web Forms changed how it chooses the location control: review");
      }
      return {
        contents: source.replace(
          GEOPOINT_MAP_IN_EDIT_MODE,
          'eA.node.appearances["placement-map"] || eA.node.appearances.maps ?',
        ),
        loader: "js",
      };
    });
  },
};

const here = path.dirname(fileURLToPath(import.meta.url));
// HAVEN_ENGINE_PLAIN=<dir> builds the engine as published instead (fonts kept, no
// compressed copies) into <dir>: the anchor of `make bench-engine`.
const plain = process.env.HAVEN_ENGINE_PLAIN || "";
const outdir = plain || path.join(here, "..", "static", "assessments", "build");
// Chunks are named by their content: the old ones go, or the offline app would cache them.
if (!plain) await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(here, "webform.js")],
  outdir,
  bundle: true,
  minify: true,
  format: "esm",
  splitting: true,
  target: ["chrome100", "firefox100", "safari15"],
  legalComments: "linked",
  logLevel: "warning",
  plugins: plain ? [] : [withoutEmbeddedFonts, mapOnlyWhenAsked],
  define: {
    "process.env.NODE_ENV": '"production"',
    __VUE_OPTIONS_API__: "true",
    __VUE_PROD_DEVTOOLS__: "false",
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "false",
  },
});

// Compressed copies beside each script: the static files server sends them to browsers that
// accept them (0.5 MB instead of 2 MB over a field connection).
for (const name of plain ? [] : await readdir(outdir)) {
  if (!name.endsWith(".js")) continue;
  const data = await readFile(path.join(outdir, name));
  await writeFile(path.join(outdir, name + ".gz"), gzipSync(data, { level: 9 }));
  await writeFile(path.join(outdir, name + ".br"), brotliCompressSync(data));
}
