// @ts-check
// A stand-in for the `wps` object WPS 表格 gives its JS add-ins, as far as the jixiao
// add-in uses it: AddCustomFunction (WPS 12.1.0.20540+) and Calculate. Its type is
// taken from npm et-jsapi-declare (WPSMergedRoot, index.d.ts), and `tsc --checkJs`
// checks this file against it (tests/test_wps_addin.py), so the stand-in cannot
// drift from the declared API. It also holds the add-in to what WPS documents:
// names as wpsjs accepts them, metadata in functions.json's shape, one registration
// per name, and synchronous results (a callback returning a Promise is refused).
"use strict";

/** wpsjs's rule for a custom function's name (src/vite_plugins.js). */
const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Parameter and result types wpsjs writes into functions.json (`?` marks optional). */
const TYPES = /^(any|string|number|bool|boolean)(\[\]\[\])?\??$/;

/**
 * @typedef {{ namespace: string, name: string, callback: Function,
 *   metadata: Parameters<WPSMergedRoot["AddCustomFunction"]>[3] }} Registration
 */

/** A fresh stand-in: `root` plays `wps`; what the add-in did is recorded. */
function makeWps() {
  /** @type {Registration[]} */
  const registered = [];
  const record = { calculations: 0 };
  /** @type {Pick<WPSMergedRoot, "AddCustomFunction" | "Calculate">} */
  const root = {
    AddCustomFunction(namespace, name, callback, metadata) {
      if (!NAME.test(namespace) || !NAME.test(name)) throw new Error(`bad name ${namespace}.${name}`);
      if (typeof callback !== "function") throw new Error(`${name}: callback is not a function`);
      if (registered.some((r) => r.namespace === namespace && r.name === name)) {
        throw new Error(`${namespace}.${name} registered twice`);
      }
      if (metadata) {
        for (const p of metadata.parameters) {
          if (!p.type || !TYPES.test(p.type)) throw new Error(`${name}.${p.name}: type ${p.type}`);
        }
        if (metadata.result.type && !TYPES.test(metadata.result.type)) {
          throw new Error(`${name}: result type ${metadata.result.type}`);
        }
      }
      registered.push({ namespace, name, callback, metadata });
    },
    Calculate() {
      record.calculations += 1;
    },
  };

  /**
   * Call `NS.NAME(args…)` as a cell does: synchronously.
   * @param {string} namespace @param {string} name @param {unknown[]} args
   */
  function callCell(namespace, name, args) {
    const r = registered.find((x) => x.namespace === namespace && x.name === name);
    if (!r) return "#NAME?";
    const value = r.callback(...args);
    if (value && typeof value.then === "function") throw new Error(`${name} returned a Promise: WPS calls are synchronous`);
    return value;
  }

  return { root, registered, record, callCell };
}

module.exports = { makeWps };
