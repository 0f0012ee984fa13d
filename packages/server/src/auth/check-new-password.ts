import { SluiceError } from "@sluice/sdk";

/** Refuses a new password shorter than `minLength` characters (`PASSWORD_MIN_LENGTH`). */
export function checkNewPassword(password: string, minLength: number): void {
  if ([...password].length < minLength) {
    throw new SluiceError("INVALID_INPUT", `The password must have at least ${minLength} characters`, {
      details: [{ path: "password", message: `at least ${minLength} characters` }],
    });
  }
}
