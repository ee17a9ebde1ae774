// Runs the determinism probe's wasm32 module (game/examples/wasm_probe.rs) under Node:
// node wasm_probe.cjs FILE SEED PLAYERS FRAMES prints the final checksum in hex. Its imports
// (wasm-bindgen's, for randomness the probe never draws) are stubs that throw if called.
const fs = require('fs');
const [file, seed, players, frames] = process.argv.slice(2);
const wasm = new WebAssembly.Module(fs.readFileSync(file));
const imports = {};
for (const { module: from, name, kind } of WebAssembly.Module.imports(wasm)) {
  if (kind !== 'function') throw new Error(`unexpected ${kind} import ${from}.${name}`);
  imports[from] = imports[from] || {};
  imports[from][name] = () => { throw new Error(`${from}.${name} called`); };
}
const instance = new WebAssembly.Instance(wasm, imports);
const value = instance.exports.probe(BigInt(seed), Number(players), Number(frames));
console.log(BigInt.asUintN(64, value).toString(16).padStart(16, '0'));
