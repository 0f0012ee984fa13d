import type { SecretBox } from "./secret-box.ts";
import { isSealed } from "./secret-box.ts";

/** What a non-admin sees in place of a secret valve that is set. */
export const SECRET_MASK = "********";

export type ValveValues = Record<string, unknown>;

/** Encrypts the secret fields of validated valve values before they are stored. */
export function sealValves(values: ValveValues, secretFields: readonly string[], box: SecretBox): ValveValues {
  const sealed: ValveValues = { ...values };
  for (const field of secretFields) {
    if (field in sealed && sealed[field] !== undefined) sealed[field] = box.encrypt(JSON.stringify(sealed[field]));
  }
  return sealed;
}

/**
 * Decrypts stored valve values. A value that no longer decrypts (the secret key changed) is
 * dropped, so the plugin falls back to its default instead of receiving ciphertext.
 */
export function openValves(stored: ValveValues, box: SecretBox, onUnreadable?: (field: string) => void): ValveValues {
  const opened: ValveValues = {};
  for (const [field, value] of Object.entries(stored)) {
    if (!isSealed(value)) {
      opened[field] = value;
      continue;
    }
    try {
      opened[field] = JSON.parse(box.decrypt(value));
    } catch {
      onUnreadable?.(field);
    }
  }
  return opened;
}

/** Replaces each set secret field with {@link SECRET_MASK}. */
export function maskValves(values: ValveValues, secretFields: readonly string[]): ValveValues {
  const masked: ValveValues = { ...values };
  for (const field of secretFields) {
    if (field in masked && masked[field] !== null && masked[field] !== undefined) masked[field] = SECRET_MASK;
  }
  return masked;
}

/**
 * A form that was filled from masked values sends the mask back for secrets it did not change:
 * keep the stored secret in that case instead of storing the mask.
 */
export function restoreMaskedSecrets(incoming: ValveValues, current: ValveValues, secretFields: readonly string[]): ValveValues {
  const restored: ValveValues = { ...incoming };
  for (const field of secretFields) {
    if (restored[field] === SECRET_MASK) {
      if (field in current) restored[field] = current[field];
      else delete restored[field];
    }
  }
  return restored;
}
