// Runs the xlwings Lite bundle (main.py + requirements.txt from `jixiao lite-bundle`)
// in Pyodide under Node, the way xlwings Lite does: the files are written to
// Pyodide's home folder, the requirements are installed (here from the pinned
// wheels, as Lite's micropip would from PyPI / Pyodide's own packages), `main` is
// imported, and each call goes through xlwings.server.custom_functions_call with
// the payload handed over as a JavaScript object (blank cells as JS null).
//
// usage: node lite_in_pyodide.mjs BUNDLE_DIR WHEELS_DIR < payloads.json > results.json
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { loadPyodide } = require("pyodide");

const [bundleDir, wheelsDir] = process.argv.slice(2).map((p) => resolve(p));
const payloads = JSON.parse(readFileSync(0, "utf-8"));

// Node does not count a pending WebAssembly compilation as work: keep the loop alive
// until the run is done, or Node may end before Pyodide is ready.
const keepAlive = setInterval(() => {}, 1000);

const pyodide = await loadPyodide({
  // XLWINGS_ON_SERVER: what Lite runs xlwings with (xlwings' func/arg are then
  // the Office.js decorators). The licence key is test-only, as in the CPython
  // tests: xlwings.server is PRO code, free for non-commercial use.
  env: { HOME: "/home/pyodide", XLWINGS_ON_SERVER: "true", XLWINGS_LICENSE_KEY: "noncommercial" },
  stdout: (line) => process.stderr.write(line + "\n"),
  stderr: (line) => process.stderr.write(line + "\n"),
});

// requirements.txt: each line is a wheel we hold (Lite would fetch the same names).
const wheels = readdirSync(wheelsDir).filter((f) => f.endsWith(".whl"));
const requirements = readFileSync(join(bundleDir, "requirements.txt"), "utf-8")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith("#"));
for (const requirement of requirements) {
  const [name, version] = requirement.split("==");
  const file = wheels.find((w) => w.startsWith(name + "-") && (!version || w.startsWith(`${name}-${version}-`)));
  if (!file) throw new Error(`requirements.txt asks for ${requirement}: no pinned wheel matches`);
  await pyodide.loadPackage(join(wheelsDir, file), { messageCallback: () => {} });
}

for (const name of ["main.py", "requirements.txt"]) {
  pyodide.FS.writeFile(`/home/pyodide/${name}`, readFileSync(join(bundleDir, name), "utf-8"));
}
pyodide.runPython(`
import importlib, json, sys
sys.path.insert(0, "/home/pyodide")
import main
import udfs, addin.hosts.convert
assert type(udfs.__spec__.loader).__name__ == "_BundleFinder", udfs.__spec__
import xlwings, xlwings.server
import pyodide.ffi


async def lite_call(payload):
    # What xlwings Lite does with a raised exception: its message goes to Excel.
    try:
        return await xlwings.server.custom_functions_call(payload, main)
    except Exception as e:
        return {"error": str(e)}
`);
const liteCall = pyodide.globals.get("lite_call");
const results = [];
for (const payload of payloads) {
  const py = pyodide.toPy(payload);
  const result = await liteCall(py);
  py.destroy?.();
  results.push(JSON.parse(pyodide.globals.get("json").dumps(result)));
}
const info = pyodide.runPython(`
json.dumps({
    "exported": main.EXPORTED,
    "meta": xlwings.server.custom_functions_meta(main),
    "modules": sorted({getattr(main, n).__module__ for n in main.EXPORTED}),
    "versions": {"python": sys.version.split()[0], "numpy": __import__("numpy").__version__,
                 "xlwings": xlwings.__version__, "platform": sys.platform},
})`);
clearInterval(keepAlive);
process.stdout.write("\n");
process.stdout.write(JSON.stringify({ ...JSON.parse(info), pyodide: pyodide.version, results }));
