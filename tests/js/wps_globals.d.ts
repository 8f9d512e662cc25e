// What the WPS add-in page has besides `wps` (declared by et-jsapi-declare): Pyodide's
// loader, from pyodide.js's <script> tag, with Pyodide's own type.
declare const loadPyodide: typeof import("pyodide").loadPyodide;
