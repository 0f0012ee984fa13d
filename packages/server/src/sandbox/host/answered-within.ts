/**
 * True when `work` settles within `withinMs`: how a transport asks whether its plugin answers a
 * no-op at once (`confirmTimeout`). When the timer fires first, what the server has received but
 * not read yet still counts: after the server's own event loop stood still, the answer may be
 * waiting, and it is read in the loop's I/O phase, which comes after the timers.
 */
export async function answeredWithin(work: Promise<unknown>, withinMs: number): Promise<boolean> {
  let answered = false;
  const settled = work.then(
    () => (answered = true),
    () => (answered = true),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, withinMs)))]);
  clearTimeout(timer);
  if (!answered) await new Promise((resolve) => setImmediate(resolve));
  return answered;
}
