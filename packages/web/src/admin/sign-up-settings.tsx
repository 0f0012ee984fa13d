import { useEffect, useState } from "react";
import { errorMessage } from "../api/api-error.ts";
import { useToaster } from "../ui/toasts.tsx";
import { userApi, type SignUpConfig } from "./user-api.ts";

/** The sign-up switch (ENABLE_SIGNUP) and the role new accounts get (DEFAULT_USER_ROLE). */
export function SignUpSettings() {
  const toaster = useToaster();
  const [config, setConfig] = useState<SignUpConfig | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  useEffect(() => {
    userApi.signUpConfig().then(setConfig, (thrown: unknown) => toaster.show({ type: "error", content: errorMessage(thrown) }));
  }, []);

  const change = async (fields: Partial<SignUpConfig>, success: string) => {
    setIsBusy(true);
    try {
      setConfig(await userApi.setSignUpConfig(fields));
      toaster.show({ type: "success", content: success });
    } catch (thrown) {
      toaster.show({ type: "error", content: errorMessage(thrown) });
    } finally {
      setIsBusy(false);
    }
  };

  if (!config) return null;
  return (
    <section className="admin-settings" aria-label="Sign-up">
      <label className="switch">
        <input
          type="checkbox"
          role="switch"
          checked={config.ENABLE_SIGNUP}
          disabled={isBusy}
          onChange={(event) =>
            change(
              { ENABLE_SIGNUP: event.target.checked },
              event.target.checked ? "Anyone may now sign up" : "Sign-up is off: only admins add accounts",
            )
          }
        />
        Allow sign-up
      </label>
      <label className="admin-setting">
        <span>New accounts are</span>
        <select
          className="input input-small"
          value={config.DEFAULT_USER_ROLE}
          disabled={isBusy}
          onChange={(event) =>
            change(
              { DEFAULT_USER_ROLE: event.target.value as SignUpConfig["DEFAULT_USER_ROLE"] },
              event.target.value === "user" ? "New accounts may chat at once" : "New accounts wait for approval",
            )
          }
        >
          <option value="pending">pending (an admin approves)</option>
          <option value="user">user (may chat at once)</option>
        </select>
      </label>
    </section>
  );
}
