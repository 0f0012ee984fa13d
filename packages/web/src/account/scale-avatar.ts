/** Avatars are stored as small data URLs: a picked image is cropped square and scaled to this. */
export const AVATAR_PIXELS = 128;

/**
 * Reads an image file and returns it as a square PNG data URL of {@link AVATAR_PIXELS} pixels,
 * cropped to its centre. Rejects files the browser cannot decode as an image.
 */
export async function scaleAvatar(file: File): Promise<string> {
  if (!file.type.startsWith("image/")) throw new Error("Choose an image file (PNG, JPEG, GIF or WebP)");
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error("This image could not be read");
  }
  const side = Math.min(bitmap.width, bitmap.height);
  const canvas = document.createElement("canvas");
  canvas.width = AVATAR_PIXELS;
  canvas.height = AVATAR_PIXELS;
  const context = canvas.getContext("2d");
  if (!context) throw new Error("This browser cannot scale images");
  context.drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, AVATAR_PIXELS, AVATAR_PIXELS);
  bitmap.close();
  return canvas.toDataURL("image/png");
}
