/**
 * What an ICU-backed Intl object holds outside the isolate's heap, rounded up from measurements
 * (Node 24's V8 and ICU): a `DateTimeFormat` about 27 KB, a `RelativeTimeFormat` 8 KB, a
 * `Segmenter`, the result of `segment()` and its iterators up to 7.5 KB, the others 1–2.5 KB.
 */
const INTL_COSTS: Readonly<Record<string, number>> = {
  DateTimeFormat: 32_768,
  RelativeTimeFormat: 12_288,
  Segmenter: 8_192,
};
const DEFAULT_INTL_COST = 4_096;
const SEGMENTS_COST = 8_192;

type Constructor = new (...args: unknown[]) => object;

/**
 * Makes the isolate's memory limit cover what would escape it, before plugin code runs (isolate
 * tier only):
 *
 * - `WebAssembly` is removed: its memories are reserved outside the heap and the limit does not
 *   see them (one plugin pinned 1.7 GB under a 128 MB limit).
 * - Each `Intl` object gets a shadow `ArrayBuffer` the size of the ICU memory it holds, alive
 *   exactly as long as it: the isolate's limit counts ArrayBuffers, so a plugin that keeps
 *   thousands of formatters is refused more (a RangeError) instead of pinning gigabytes, and the
 *   garbage collector sees their real weight.
 *
 * `target` is the isolate's `globalThis`.
 */
export function installMemoryGuards(target: Record<string, unknown>): void {
  delete target.WebAssembly;
  const intl = target.Intl as Record<string, unknown> | undefined;
  if (typeof intl !== "object" || intl === null) return;
  const shadows = new WeakMap<object, ArrayBuffer>();
  const shadow = <T>(value: T, bytes: number): T => {
    if (typeof value !== "object" || value === null) return value;
    let weight: ArrayBuffer;
    try {
      weight = new ArrayBuffer(bytes);
    } catch {
      // The object just made is dropped with this throw, and its ICU memory with it.
      throw new RangeError("Out of memory: this plugin's Intl objects reached its memory limit");
    }
    shadows.set(value, weight);
    return value;
  };
  for (const name of Object.getOwnPropertyNames(intl)) {
    const original = intl[name];
    if (typeof original !== "function" || typeof (original as { prototype?: unknown }).prototype !== "object") continue;
    const cost = INTL_COSTS[name] ?? DEFAULT_INTL_COST;
    const guarded: Constructor = new Proxy(original as Constructor, {
      construct: (constructor, args, newTarget) =>
        shadow(Reflect.construct(constructor, args, newTarget === guarded ? constructor : newTarget), cost),
      apply: (constructor, self, args) =>
        shadow(Reflect.apply(constructor as unknown as (...values: unknown[]) => unknown, self, args), cost),
    });
    // The prototype's `constructor` would otherwise hand out the unguarded one.
    Object.defineProperty((original as Constructor).prototype, "constructor", { value: guarded, writable: true, configurable: true });
    Object.defineProperty(intl, name, { value: guarded, writable: true, configurable: true, enumerable: false });
  }
  guardSegments(intl, shadow);
}

/** `segment()` results and their iterators hold ICU break iterators of their own. */
function guardSegments(intl: Record<string, unknown>, shadow: <T>(value: T, bytes: number) => T): void {
  const Segmenter = intl.Segmenter as (new () => { segment(text: string): object }) | undefined;
  if (typeof Segmenter !== "function") return;
  const prototype = Segmenter.prototype as { segment: (text: string) => object };
  const segment = prototype.segment;
  const segmentsPrototype = Object.getPrototypeOf(segment.call(new Segmenter(), "")) as Record<symbol, unknown>;
  const iterate = segmentsPrototype[Symbol.iterator] as (this: object) => object;
  Object.defineProperty(prototype, "segment", {
    value: function (this: object, text: string) {
      return shadow(segment.call(this, text), SEGMENTS_COST);
    },
    writable: true,
    configurable: true,
  });
  Object.defineProperty(segmentsPrototype, Symbol.iterator, {
    value: function (this: object) {
      return shadow(iterate.call(this), SEGMENTS_COST);
    },
    writable: true,
    configurable: true,
  });
}
