import { useAuth } from "../auth/auth-context.tsx";
import { ApiKeySection } from "./api-key-section.tsx";
import { PasswordSection } from "./password-section.tsx";
import { PreferencesSection } from "./preferences-section.tsx";
import { ProfileSection } from "./profile-section.tsx";
import "../workspace/workspace.css";
import "./account.css";

/** The signed-in user's own settings: name and avatar, password, API key, theme and language. */
export function AccountPage() {
  const { user } = useAuth();
  if (!user) return null;
  return (
    <div className="workspace-page account-page">
      <ProfileSection user={user} />
      <PasswordSection email={user.email} />
      <ApiKeySection />
      <PreferencesSection />
    </div>
  );
}
