// Runs a generated WPS add-in's JavaScript under Node against the stand-in `wps`
// (wps_standin.js): index.html's <script> files are run in order, as WPS's page
// would (pyodide.js is required, which is what its tag provides: loadPyodide), from
// the add-in folder (so its relative paths resolve as in the page). Then every call
// on stdin is made the way a cell makes it: synchronously, NS.NAME(args…), with a
// JSON null argument standing for an omitted one (undefined) and trailing ones left out.
//
// usage: node wps_in_node.mjs ADDIN_FOLDER < calls.json > results.json
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import vm from "node:vm";

const require = createRequire(import.meta.url);
const { makeWps } = require("./wps_standin.js");

const folder = resolve(process.argv[2]);
const calls = JSON.parse(readFileSync(0, "utf-8"));
process.chdir(folder);


const standin = makeWps();
globalThis.wps = standin.root;
globalThis.Application = standin.root;
globalThis.alert = (text) => process.stderr.write(`alert: ${text}\n`);

const html = readFileSync(join(folder, "index.html"), "utf-8");
const scripts = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]);
for (const src of scripts) {
  if (src.endsWith("pyodide.js")) {
    globalThis.loadPyodide = require(join(folder, src)).loadPyodide;
  } else {
    vm.runInThisContext(readFileSync(join(folder, src), "utf-8"), { filename: src });
  }
}

// Node does not count a pending WebAssembly compilation as work: keep the loop alive
// until the add-in has settled, or Node may end before Pyodide is ready.
const keepAlive = setInterval(() => {}, 1000);
let finished = false;
process.on("exit", (code) => {
  if (!finished) process.stderr.write(`wps_in_node: exited (${code}) before the add-in settled\n`);
});

const registeredAtStart = standin.registered.map((r) => ({ namespace: r.namespace, name: r.name, metadata: r.metadata }));
const beforeReady = standin.callCell("JX", "MONEY", [2.675]);
await globalThis.jixiaoReady;
clearInterval(keepAlive);

const asCellArgs = (args) => {
  const out = args.map((a) => (a === null ? undefined : a));
  while (out.length && out[out.length - 1] === undefined) out.pop();
  return out;
};
const results = calls.map(([name, args]) => standin.callCell("JX", name, asCellArgs(args)));
finished = true;
// The results are the last line (Pyodide may print its package loading before).
process.stdout.write("\n");
process.stdout.write(
  JSON.stringify({
    registered: registeredAtStart,
    beforeReady,
    calculations: standin.record.calculations,
    unknown: standin.callCell("JX", "NO_SUCH", []),
    results,
  }),
);
