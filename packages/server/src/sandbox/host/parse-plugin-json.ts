/**
 * Parses JSON text that came from a plugin. `__proto__` keys are dropped: JSON.parse makes them
 * harmless own properties, but host code that copies such an object with `Object.assign` or a
 * `for…in` loop would set the copy's prototype to plugin data.
 *
 * @example
 * parsePluginJson('{"a":1,"__proto__":{"isAdmin":true}}'); // { a: 1 }
 */
export function parsePluginJson(text: string): unknown {
  return text.includes('"__proto__"') ? JSON.parse(text, dropProtoKeys) : JSON.parse(text);
}

function dropProtoKeys(key: string, value: unknown): unknown {
  return key === "__proto__" ? undefined : value;
}
