import { expect, it } from "vitest";
import { permissionNotices } from "./approve-permissions.ts";

it("tells an admin that network:* is any host on the internet", () => {
  expect(permissionNotices(["network:*", "network:api.example.com"])).toEqual([
    "ctx.fetch may reach any host on the internet, api.example.com (public addresses only, unless PLUGIN_ALLOW_PRIVATE_NETWORK is true).",
  ]);
});
