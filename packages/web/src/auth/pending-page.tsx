import { useEffect, useState } from "react";
import { errorMessage } from "../api/api-error.ts";
import { Icon } from "../ui/icon.tsx";
import { useAuth } from "./auth-context.tsx";
import { useTranslate } from "../i18n/i18n.ts";

const CHECK_INTERVAL_MS = 15_000;

/** A `pending` account: says it waits for an admin, and checks now and then whether it was approved. */
export function PendingPage() {
  const { user, refresh, signOut } = useAuth();
  const t = useTranslate();
  const [error, setError] = useState<string | null>(null);
  const [isChecking, setIsChecking] = useState(false);

  const check = async () => {
    setIsChecking(true);
    try {
      await refresh();
      setError(null);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setIsChecking(false);
    }
  };

  useEffect(() => {
    const timer = setInterval(() => refresh().catch(() => {}), CHECK_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  return (
    <div className="accounts-page">
      <div className="accounts-card">
        <div className="pending-mark">
          <Icon name="clock" size={40} />
        </div>
        <h1>{t("Waiting for approval")}</h1>
        <p className="lead">
          {t("Your account")} <strong>{user?.email}</strong>{" "}
          {t("was created. An admin has to approve it before you can chat; this page moves on by itself once they do.")}
        </p>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="button-row">
          <button type="button" className="button" onClick={check} disabled={isChecking}>
            {isChecking ? t("Checking…") : t("Check again")}
          </button>
          <button type="button" className="button button-quiet" onClick={signOut}>
            {t("Sign out")}
          </button>
        </div>
      </div>
    </div>
  );
}
