/**
 * Long loops on the event loop hand it back now and then: `await pause()` yields (setImmediate)
 * once `sliceMs` have passed since the last yield, and costs nothing otherwise.
 * @example const pause = slicer(10); for (const x of many) { work(x); await pause(); }
 */
export function slicer(sliceMs = 10): () => Promise<void> | void {
  let last = performance.now();
  return () => {
    if (performance.now() - last < sliceMs) return;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        last = performance.now();
        resolve();
      }),
    );
  };
}
