type JsonSchemaNode = Record<string, unknown> & {
  properties?: Record<string, JsonSchemaNode>;
  input?: { type?: unknown };
  $ref?: string;
  anyOf?: JsonSchemaNode[];
  allOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
};

/**
 * The names of the top-level properties of an object JSON Schema marked as secrets with zod
 * `.meta({ input: { type: "password" } })`, looking through `$ref` and `anyOf`/`allOf`/`oneOf`
 * wrappers (as `.nullable()` or reused schemas produce).
 *
 * @example
 * findSecretFields({ properties: { apiKey: { type: "string", input: { type: "password" } } } }); // ["apiKey"]
 */
export function findSecretFields(jsonSchema: Record<string, unknown> | null): string[] {
  if (!jsonSchema) return [];
  const root = jsonSchema as JsonSchemaNode;
  const definitions = (root.$defs ?? root.definitions ?? {}) as Record<string, JsonSchemaNode>;
  const isSecret = (node: JsonSchemaNode | undefined, depth: number): boolean => {
    if (!node || typeof node !== "object" || depth > 8) return false;
    if (node.input?.type === "password") return true;
    if (typeof node.$ref === "string") {
      const name = node.$ref.replace(/^#\/(\$defs|definitions)\//, "");
      if (isSecret(definitions[name], depth + 1)) return true;
    }
    return [...(node.anyOf ?? []), ...(node.allOf ?? []), ...(node.oneOf ?? [])].some((child) => isSecret(child, depth + 1));
  };
  return Object.entries(root.properties ?? {})
    .filter(([, property]) => isSecret(property, 0))
    .map(([name]) => name);
}
