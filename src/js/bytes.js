// The ES module carries its wasm as a string of one character per byte
// (U+0000-U+00FF; see wasmAsText in scripts/build.mjs): 3% over the raw
// bytes in brotli, where base64 costs 30%.

/** The bytes back from that string. */
export function wasmBytes(text) {
  // Native both ways where the browser has Uint8Array.fromBase64
  // (btoa takes exactly such a string).
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(btoa(text));
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
