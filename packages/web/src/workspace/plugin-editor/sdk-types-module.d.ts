declare module "virtual:sluice-sdk-types" {
  /** The SDK types bundle (packages/web/scripts/build-sdk-types.ts): `file:///…` URI → declaration text. */
  const bundle: { typescriptVersion: string; files: Record<string, string> };
  export default bundle;
}
