/** A heading of the chat list and the chats under it, newest first. */
export interface DateGroup<Item> {
  label: string;
  items: Item[];
}

const DAY = 86_400_000;
const monthFormats = new Map<string, Intl.DateTimeFormat>();

function monthName(date: Date, locale: string): string {
  let format = monthFormats.get(locale);
  if (!format) monthFormats.set(locale, (format = new Intl.DateTimeFormat(locale, { month: "long" })));
  return format.format(date);
}

/**
 * Open WebUI's headings by last update: Today, Yesterday, Previous 7 days, Previous 30 days,
 * then the month ("November"; "November 2025" in an earlier year), named in `locale`. Days are
 * the browser's. The fixed headings are in English, for the caller to translate.
 *
 * @example
 * dateGroupLabel(nowSeconds - 3 * 86_400, new Date()); // "Previous 7 days"
 */
export function dateGroupLabel(updatedAtSeconds: number, now: Date, locale = "en"): string {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const time = updatedAtSeconds * 1000;
  if (time >= today) return "Today";
  if (time >= today - DAY) return "Yesterday";
  if (time >= today - 7 * DAY) return "Previous 7 days";
  if (time >= today - 30 * DAY) return "Previous 30 days";
  const date = new Date(time);
  const month = monthName(date, locale);
  return date.getFullYear() === now.getFullYear() ? month : `${month} ${date.getFullYear()}`;
}

/** Groups items (newest first) under {@link dateGroupLabel} headings, keeping their order. */
export function groupByDate<Item extends { updated_at: number }>(items: Item[], now: Date, locale = "en"): DateGroup<Item>[] {
  const groups: DateGroup<Item>[] = [];
  for (const item of items) {
    const label = dateGroupLabel(item.updated_at, now, locale);
    const group = groups.at(-1);
    if (group?.label === label) group.items.push(item);
    else groups.push({ label, items: [item] });
  }
  return groups;
}
