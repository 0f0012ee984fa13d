import type { SessionUser } from "../api/types.ts";

export interface UserAvatarProps {
  user: Pick<SessionUser, "name" | "profile_image_url"> | null;
  /** Pixels; 30 by default. */
  size?: number;
  /** The picture's alternative text; none (decorative) by default, where the name is shown beside it. */
  label?: string;
}

/** The user's picture, or the first letter of its name when it has none. */
export function UserAvatar({ user, size = 30, label = "" }: UserAvatarProps) {
  const style = { width: size, height: size, fontSize: Math.round(size * 0.45) };
  if (user?.profile_image_url) {
    return <img className="avatar avatar-image" src={user.profile_image_url} alt={label} style={style} />;
  }
  return (
    <span className="avatar" aria-hidden="true" style={style}>
      {(user?.name ?? "?").slice(0, 1).toUpperCase()}
    </span>
  );
}
