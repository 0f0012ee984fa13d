import { expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";

interface Summary {
  id: string;
  title: string;
  pinned: boolean;
  folder_id: string | null;
  tags: string[];
  updated_at: number;
}

/** Open WebUI's export of one chat: `[ChatResponse]`, the tree in `history.messages` with `currentId`. */
function openWebuiExport(title: string, answer: string, updatedAt: number) {
  return [
    {
      id: "0f6a5c1e-0000-4000-8000-000000000001",
      user_id: "someone-else",
      title,
      chat: {
        id: "",
        title,
        models: ["llama3.1:8b"],
        params: {},
        history: {
          messages: {
            "m-user": {
              id: "m-user",
              parentId: null,
              childrenIds: ["m-answer"],
              role: "user",
              content: "Tell me about otters",
              timestamp: updatedAt - 60,
              models: ["llama3.1:8b"],
            },
            "m-answer": {
              id: "m-answer",
              parentId: "m-user",
              childrenIds: [],
              role: "assistant",
              content: answer,
              model: "llama3.1:8b",
              modelName: "llama3.1:8b",
              done: true,
              timestamp: updatedAt,
            },
          },
          currentId: "m-answer",
        },
        messages: [
          {
            id: "m-user",
            parentId: null,
            childrenIds: ["m-answer"],
            role: "user",
            content: "Tell me about otters",
            timestamp: updatedAt - 60,
          },
          {
            id: "m-answer",
            parentId: "m-user",
            childrenIds: [],
            role: "assistant",
            content: answer,
            model: "llama3.1:8b",
            done: true,
            timestamp: updatedAt,
          },
        ],
        tags: [],
        timestamp: (updatedAt - 60) * 1000,
        files: [],
      },
      updated_at: updatedAt,
      created_at: updatedAt - 60,
      share_id: null,
      archived: false,
      pinned: false,
      meta: { tags: ["Animals"] },
      folder_id: "not-a-folder-of-yours",
    },
  ];
}

describeEachDatabase("chat history API", (kind) => {
  const sluice = useServer({ kind });
  let admin: TestAccount;
  let alice: TestAccount;
  let bob: TestAccount;
  let tides: string;
  let otters: string;
  let plain: string;

  const newChat = async (title: string, answer: string, account = alice) => {
    const messages = [
      { id: "u", role: "user", content: `About ${title}` },
      { id: "a", parentId: "u", role: "assistant", content: answer },
    ];
    const history = { messages: Object.fromEntries(messages.map((message) => [message.id, message])), currentId: "a" };
    const created = await sluice.api.post("/api/v1/chats/new", { chat: { title, messages, history } }, account.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    return created.body.id as string;
  };
  const ids = (response: { body: Summary[] }) => response.body.map((chat) => chat.id);

  it("sets up users and chats", async () => {
    admin = await signUpAdmin(sluice.url);
    alice = await signUpUser(sluice.url, admin);
    bob = await signUpUser(sluice.url, admin);
    tides = await newChat("Tides", "The Moon pulls the oceans; 100% of the time.");
    plain = await newChat("Plain", "Nothing special here.");
    await newChat("Bob's", "The Moon is Bob's too.", bob);
  });

  it("searches titles and message content, case-insensitively, only the caller's chats", async () => {
    expect(ids(await sluice.api.get("/api/v1/chats/search?text=moon", alice.token))).toEqual([tides]);
    expect(ids(await sluice.api.get("/api/v1/chats/search?text=PLAIN", alice.token))).toEqual([plain]);
    expect(ids(await sluice.api.get("/api/v1/chats/search?text=100%25", alice.token))).toEqual([tides]);
    expect(ids(await sluice.api.get("/api/v1/chats/search?text=role", alice.token))).toEqual([]);
    expect(ids(await sluice.api.get("/api/v1/chats/search?text=nothing-like-this", alice.token))).toEqual([]);
    expectError(await sluice.api.get("/api/v1/chats/search", alice.token), 400, "text");
  });

  it("pins by toggling; pinned chats have their list and leave the default one", async () => {
    const pinned = await sluice.api.post(`/api/v1/chats/${plain}/pin`, {}, alice.token);
    expect(pinned.status).toBe(200);
    expect(pinned.body).toMatchObject({ id: plain, pinned: true, archived: false, folder_id: null, meta: {} });
    expect(ids(await sluice.api.get("/api/v1/chats/pinned", alice.token))).toEqual([plain]);
    expect((await sluice.api.get(`/api/v1/chats/${plain}/pinned`, alice.token)).body).toBe(true);
    expect(ids(await sluice.api.get("/api/v1/chats/", alice.token))).toEqual([tides]);
    const all = (await sluice.api.get("/api/v1/chats/?include_pinned=true", alice.token)).body as Summary[];
    expect(all.find((chat) => chat.id === plain)).toMatchObject({ pinned: true });
    expectError(await sluice.api.post(`/api/v1/chats/${plain}/pin`, {}, bob.token), 404);
    expectError(await sluice.api.get("/api/v1/chats/?include_pinned=yes", alice.token), 400, "include_pinned");
    expect((await sluice.api.post(`/api/v1/chats/${plain}/pin`, {}, alice.token)).body.pinned).toBe(false);
    expect(ids(await sluice.api.get("/api/v1/chats/pinned", alice.token))).toEqual([]);
  });

  it("archives: the archived list shows the chat, search and the list do not; archiving again restores", async () => {
    await sluice.api.post(`/api/v1/chats/${plain}/archive`, {}, alice.token);
    expect(ids(await sluice.api.get("/api/v1/chats/archived", alice.token))).toEqual([plain]);
    expect(ids(await sluice.api.get("/api/v1/chats/archived?query=pla", alice.token))).toEqual([plain]);
    expect(ids(await sluice.api.get("/api/v1/chats/archived?query=zzz", alice.token))).toEqual([]);
    expect(ids(await sluice.api.get("/api/v1/chats/search?text=plain", alice.token))).toEqual([]);
    expect(ids(await sluice.api.get("/api/v1/chats/", alice.token))).not.toContain(plain);
    expect((await sluice.api.post(`/api/v1/chats/${plain}/archive`, {}, alice.token)).body.archived).toBe(false);
    expect(ids(await sluice.api.get("/api/v1/chats/archived", alice.token))).toEqual([]);
    expectError(await sluice.api.get("/api/v1/chats/archived?page=0", alice.token), 400, "page");
  });

  it("tags a chat (Open WebUI's ids), lists the user's tags, filters search by tag:, and removes unused tags", async () => {
    const added = await sluice.api.post(`/api/v1/chats/${tides}/tags`, { name: "Space Science" }, alice.token);
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body).toEqual([{ id: "space_science", name: "Space Science", user_id: alice.id, meta: null }]);
    await sluice.api.post(`/api/v1/chats/${tides}/tags`, { name: "space science" }, alice.token);
    expect((await sluice.api.get(`/api/v1/chats/${tides}/tags`, alice.token)).body).toHaveLength(1);
    expect((await sluice.api.get(`/api/v1/chats/${tides}`, alice.token)).body.meta).toEqual({ tags: ["space_science"] });
    expect((await sluice.api.get("/api/v1/chats/all/tags", alice.token)).body.map((tag: { id: string }) => tag.id)).toEqual([
      "space_science",
    ]);
    expect((await sluice.api.get("/api/v1/chats/all/tags", bob.token)).body).toEqual([]);
    expect(ids(await sluice.api.get("/api/v1/chats/search?text=tag:space_science", alice.token))).toEqual([tides]);
    expect(ids(await sluice.api.get("/api/v1/chats/search?text=tag:space_science%20nothing", alice.token))).toEqual([]);
    const listed = ((await sluice.api.get("/api/v1/chats/", alice.token)).body as Summary[]).find((chat) => chat.id === tides);
    expect(listed?.tags).toEqual(["space_science"]);

    expectError(await sluice.api.post(`/api/v1/chats/${tides}/tags`, { name: "None" }, alice.token), 400, "None");
    expectError(await sluice.api.post(`/api/v1/chats/${tides}/tags`, { name: "  " }, alice.token), 400, "name");
    expectError(await sluice.api.post(`/api/v1/chats/${tides}/tags`, {}, alice.token), 400, "name");
    expectError(await sluice.api.post(`/api/v1/chats/${tides}/tags`, { name: "x" }, bob.token), 404);

    const removed = await sluice.api.delete(`/api/v1/chats/${tides}/tags`, alice.token, { name: "Space Science" });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body).toEqual([]);
    expect((await sluice.api.get("/api/v1/chats/all/tags", alice.token)).body).toEqual([]);
  });

  it("makes, renames, nests and deletes folders, and moves chats in and out", async () => {
    const work = await sluice.api.post("/api/v1/folders/", { name: "Work" }, alice.token);
    expect(work.status, JSON.stringify(work.body)).toBe(200);
    expect(work.body).toMatchObject({ name: "Work", parent_id: null, user_id: alice.id, is_expanded: false });
    const folderId = work.body.id as string;
    expectError(await sluice.api.post("/api/v1/folders/", { name: "work" }, alice.token), 400, "already exists");
    expectError(await sluice.api.post("/api/v1/folders/", { name: "" }, alice.token), 400, "name");
    expectError(await sluice.api.post("/api/v1/folders/", { name: "Sub", parent_id: "nope" }, alice.token), 404);
    expect((await sluice.api.post("/api/v1/folders/", { name: "Work" }, bob.token)).status).toBe(200);

    const sub = await sluice.api.post("/api/v1/folders/", { name: "Sub", parent_id: folderId }, alice.token);
    expect(sub.body.parent_id).toBe(folderId);
    expectError(await sluice.api.post(`/api/v1/folders/${folderId}/update/parent`, { parent_id: sub.body.id }, alice.token), 400, "itself");
    expect((await sluice.api.post(`/api/v1/folders/${sub.body.id}/update/parent`, { parent_id: null }, alice.token)).body.parent_id).toBe(
      null,
    );

    const renamed = await sluice.api.post(`/api/v1/folders/${folderId}/update`, { name: "Job" }, alice.token);
    expect(renamed.body.name).toBe("Job");
    expectError(await sluice.api.post(`/api/v1/folders/${folderId}/update`, { name: "Sub" }, alice.token), 400, "already exists");
    expect(
      (await sluice.api.post(`/api/v1/folders/${folderId}/update/expanded`, { is_expanded: true }, alice.token)).body.is_expanded,
    ).toBe(true);
    expectError(
      await sluice.api.post(`/api/v1/folders/${folderId}/update/expanded`, { is_expanded: "yes" }, alice.token),
      400,
      "is_expanded",
    );
    expectError(await sluice.api.post(`/api/v1/folders/${folderId}/update`, { name: "Mine" }, bob.token), 404);

    const listed = (await sluice.api.get("/api/v1/folders/", alice.token)).body as { name: string }[];
    expect(listed.map((folder) => folder.name)).toEqual(["Job", "Sub"]);

    const moved = await sluice.api.post(`/api/v1/chats/${tides}/folder`, { folder_id: folderId }, alice.token);
    expect(moved.body.folder_id).toBe(folderId);
    expect(ids(await sluice.api.get("/api/v1/chats/", alice.token))).not.toContain(tides);
    const withFolders = (await sluice.api.get("/api/v1/chats/?include_folders=true", alice.token)).body as Summary[];
    expect(withFolders.find((chat) => chat.id === tides)?.folder_id).toBe(folderId);
    expectError(await sluice.api.post(`/api/v1/chats/${tides}/folder`, { folder_id: "nope" }, alice.token), 404, "Folder not found");
    expectError(await sluice.api.post(`/api/v1/chats/${tides}/folder`, { folder_id: 7 }, alice.token), 400, "folder_id");
    expect((await sluice.api.post(`/api/v1/chats/${tides}/folder`, { folder_id: null }, alice.token)).body.folder_id).toBe(null);

    // Deleting with delete_contents=false moves the chats out; by default (Open WebUI's) they go too.
    await sluice.api.post(`/api/v1/chats/${tides}/folder`, { folder_id: folderId }, alice.token);
    expect((await sluice.api.delete(`/api/v1/folders/${folderId}?delete_contents=false`, alice.token)).body).toBe(true);
    expect((await sluice.api.get(`/api/v1/chats/${tides}`, alice.token)).body.folder_id).toBe(null);
    await sluice.api.post(`/api/v1/chats/${plain}/folder`, { folder_id: sub.body.id }, alice.token);
    expect((await sluice.api.delete(`/api/v1/folders/${sub.body.id}`, alice.token)).body).toBe(true);
    expectError(await sluice.api.get(`/api/v1/chats/${plain}`, alice.token), 404);
    expectError(await sluice.api.delete(`/api/v1/folders/${sub.body.id}`, alice.token), 404);
    expect((await sluice.api.get("/api/v1/folders/", alice.token)).body).toEqual([]);
  });

  it("nests folders: moves one under another and back, never into itself or a folder under it", async () => {
    const folder = async (name: string, parentId: string | null = null) => {
      const created = await sluice.api.post("/api/v1/folders/", { name, parent_id: parentId }, alice.token);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      return created.body.id as string;
    };
    const moveFolder = (id: string, parentId: unknown, account = alice) =>
      sluice.api.post(`/api/v1/folders/${id}/update/parent`, { parent_id: parentId }, account.token);
    const parentOf = async (id: string) => (await sluice.api.get(`/api/v1/folders/${id}`, alice.token)).body.parent_id;

    const projects = await folder("Projects");
    const garden = await folder("Garden", projects);
    const bulbs = await folder("Bulbs", garden);
    const loose = await folder("Loose");
    const bobs = (await sluice.api.post("/api/v1/folders/", { name: "Bob's" }, bob.token)).body.id as string;

    expect((await moveFolder(loose, bulbs)).body).toMatchObject({ id: loose, parent_id: bulbs });
    for (const target of [projects, garden, bulbs, loose]) {
      expectError(await moveFolder(projects, target), 400, "cannot be moved into itself or a folder inside it");
    }
    expectError(await moveFolder(garden, garden), 400, "itself");
    expect(await parentOf(projects)).toBe(null);
    expectError(await moveFolder(projects, "nope"), 404, "Folder not found");
    expectError(await moveFolder(projects, bobs), 404, "Folder not found");
    expectError(await moveFolder(bobs, projects), 404);
    expectError(await moveFolder(bobs, null, alice), 404);
    expectError(await moveFolder(garden, 7), 400, "parent_id");
    // Names are unique among a parent's folders, at the destination too.
    const otherBulbs = await folder("bulbs");
    expectError(await moveFolder(bulbs, null), 400, "already exists");
    expect(await parentOf(bulbs)).toBe(garden);
    await sluice.api.post(`/api/v1/folders/${otherBulbs}/update`, { name: "Seeds" }, alice.token);
    expect((await moveFolder(bulbs, null)).body.parent_id).toBe(null);
    expect((await moveFolder(bulbs, garden)).body.parent_id).toBe(garden);
    const all = (await sluice.api.get("/api/v1/folders/", alice.token)).body as { id: string; parent_id: string | null }[];
    expect(Object.fromEntries(all.map((entry) => [entry.id, entry.parent_id]))).toEqual({
      [projects]: null,
      [garden]: projects,
      [bulbs]: garden,
      [loose]: bulbs,
      [otherBulbs]: null,
    });

    // A folder's chats with those of the folders under it (Open WebUI's folder export); pinned ones stay out.
    const top = await newChat("Top", "In Projects.");
    const deep = await newChat("Deep", "In Bulbs.");
    const pinnedInside = await newChat("Pinned inside", "Pinned, in Garden.");
    await sluice.api.post(`/api/v1/chats/${deep}/folder`, { folder_id: bulbs }, alice.token);
    // Moving a chat into a folder unpins it, as in Open WebUI.
    await sluice.api.post(`/api/v1/chats/${top}/pin`, {}, alice.token);
    expect((await sluice.api.post(`/api/v1/chats/${top}/folder`, { folder_id: projects }, alice.token)).body.pinned).toBe(false);
    await sluice.api.post(`/api/v1/chats/${pinnedInside}/folder`, { folder_id: garden }, alice.token);
    await sluice.api.post(`/api/v1/chats/${pinnedInside}/pin`, {}, alice.token);
    const exported = await sluice.api.get(`/api/v1/chats/folder/${projects}`, alice.token);
    expect(exported.status, JSON.stringify(exported.body)).toBe(200);
    const exportedRows = exported.body as { id: string; folder_id: string; chat: { title: string } }[];
    expect(exportedRows.map((row) => row.chat.title).sort()).toEqual(["Deep", "Top"]);
    expect(exportedRows.find((row) => row.id === deep)?.folder_id).toBe(bulbs);
    expect(ids(await sluice.api.get(`/api/v1/chats/folder/${garden}`, alice.token))).toEqual([deep]);
    const titles = await sluice.api.get(`/api/v1/chats/folder/${projects}/list?page=1`, alice.token);
    expect(titles.body).toEqual([{ id: top, title: "Top", updated_at: expect.any(Number) }]);
    expect((await sluice.api.get(`/api/v1/chats/folder/${projects}/list?page=2`, alice.token)).body).toEqual([]);
    expectError(await sluice.api.get(`/api/v1/chats/folder/${projects}`, bob.token), 404, "Folder not found");
    expectError(await sluice.api.get(`/api/v1/chats/folder/nope/list`, alice.token), 404, "Folder not found");
    expectError(await sluice.api.get(`/api/v1/chats/folder/${projects}/list?page=0`, alice.token), 400, "page");

    // Deleting a folder deletes every folder under it; delete_contents=false moves all their chats out.
    expect((await sluice.api.delete(`/api/v1/folders/${garden}?delete_contents=false`, alice.token)).body).toBe(true);
    for (const gone of [garden, bulbs, loose]) expectError(await sluice.api.get(`/api/v1/folders/${gone}`, alice.token), 404);
    expect((await sluice.api.get(`/api/v1/chats/${deep}`, alice.token)).body.folder_id).toBe(null);
    expect((await sluice.api.get(`/api/v1/chats/${pinnedInside}`, alice.token)).body.folder_id).toBe(null);
    expect((await sluice.api.get(`/api/v1/chats/${top}`, alice.token)).body.folder_id).toBe(projects);

    // By default (Open WebUI's) the chats of the folders under it are deleted too.
    const inner = await folder("Inner", projects);
    await sluice.api.post(`/api/v1/chats/${deep}/folder`, { folder_id: inner }, alice.token);
    expect((await sluice.api.delete(`/api/v1/folders/${projects}`, alice.token)).body).toBe(true);
    expectError(await sluice.api.get(`/api/v1/chats/${top}`, alice.token), 404);
    expectError(await sluice.api.get(`/api/v1/chats/${deep}`, alice.token), 404);
    expect((await sluice.api.get(`/api/v1/chats/${pinnedInside}`, alice.token)).status).toBe(200);
    expect(((await sluice.api.get("/api/v1/folders/", alice.token)).body as { name: string }[]).map((entry) => entry.name)).toEqual([
      "Seeds",
    ]);
    await sluice.api.delete(`/api/v1/folders/${otherBulbs}`, alice.token);
    await sluice.api.delete(`/api/v1/chats/${pinnedInside}`, alice.token);
    expect((await sluice.api.get(`/api/v1/folders/${bobs}`, bob.token)).status).toBe(200);
  });

  it("imports Open WebUI's export, keeping timestamps and tags; a foreign folder is dropped", async () => {
    const updatedAt = Math.floor(Date.now() / 1000) - 3 * 86_400;
    const exported = openWebuiExport("Otters", "Otters hold hands while sleeping.", updatedAt);
    const form = {
      chats: exported.map((chat) => ({
        chat: chat.chat,
        meta: chat.meta,
        pinned: chat.pinned,
        folder_id: chat.folder_id,
        created_at: chat.created_at,
        updated_at: chat.updated_at,
      })),
    };
    const imported = await sluice.api.post("/api/v1/chats/import", form, alice.token);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toHaveLength(1);
    otters = imported.body[0].id;
    expect(otters).not.toBe(exported[0].id);
    expect(imported.body[0]).toMatchObject({
      user_id: alice.id,
      title: "Otters",
      updated_at: updatedAt,
      created_at: updatedAt - 60,
      folder_id: null,
      meta: { tags: ["animals"] },
    });
    const read = await sluice.api.get(`/api/v1/chats/${otters}`, alice.token);
    expect(read.body.chat.history).toEqual(exported[0].chat.history);
    expect(ids(await sluice.api.get("/api/v1/chats/search?text=hold%20hands", alice.token))).toEqual([otters]);
    expect((await sluice.api.get("/api/v1/chats/all/tags", alice.token)).body).toEqual([
      { id: "animals", name: "Animals", user_id: alice.id, meta: null },
    ]);
    const list = ids(await sluice.api.get("/api/v1/chats/", alice.token));
    expect(list.at(-1)).toBe(otters);

    expectError(await sluice.api.post("/api/v1/chats/import", exported, alice.token), 400);
    expectError(await sluice.api.post("/api/v1/chats/import", { chats: [{ chat: "text" }] }, alice.token), 400, "chats.0.chat");
    expectError(
      await sluice.api.post("/api/v1/chats/import", { chats: [{ chat: {}, updated_at: "yesterday" }] }, alice.token),
      400,
      "updated_at",
    );
  });

  it("asks for a signed-in user", async () => {
    expectError(await sluice.api.get("/api/v1/chats/search?text=x"), 401);
    expectError(await sluice.api.get("/api/v1/folders/"), 401);
  });
});
