import type { AppRoute } from "../app/app-route.ts";
import { useSearchParams } from "../app/router.tsx";
import { ModelsPage } from "./models/models-page.tsx";
import { PluginEditorPage } from "./plugin-editor/plugin-editor-page.tsx";
import { PluginListPage } from "./plugin-list/plugin-list-page.tsx";
import type { PluginKind, PluginSection } from "./plugin-api.ts";

const KINDS: PluginKind[] = ["pipe", "filter", "action", "tools", "events"];

/** `/workspace/<namespace>/new?kind=filter[&draft]`: a fresh editor per query, from a template or an imported draft. */
function NewPluginRoute({ namespace }: { namespace: PluginSection }) {
  const search = useSearchParams();
  const requested = search.get("kind");
  const kind = namespace === "tools" ? "tools" : KINDS.find((candidate) => candidate === requested && candidate !== "tools");
  return <PluginEditorPage key={search.toString()} namespace={namespace} kind={kind} isDraft={search.has("draft")} />;
}

/** The plugin workspace's pages (functions, tools, editor, models), with their sidebar links. */
export const WORKSPACE_ROUTES: AppRoute[] = [
  {
    path: "/workspace/functions",
    title: "Functions",
    render: () => <PluginListPage key="functions" namespace="functions" />,
    access: "admin",
    nav: { label: "Functions", section: "Workspace", order: 10, icon: "ƒ" },
  },
  {
    path: "/workspace/functions/new",
    title: "New function",
    render: () => <NewPluginRoute namespace="functions" />,
    access: "admin",
  },
  {
    path: "/workspace/functions/:id",
    title: "Edit function",
    render: ({ id }) => <PluginEditorPage key={id} namespace="functions" id={id!} />,
    access: "admin",
  },
  {
    path: "/workspace/tools",
    title: "Tools",
    render: () => <PluginListPage key="tools" namespace="tools" />,
    nav: { label: "Tools", section: "Workspace", order: 20, icon: "⚒" },
  },
  {
    path: "/workspace/tools/new",
    title: "New tool",
    render: () => <NewPluginRoute namespace="tools" />,
  },
  {
    path: "/workspace/tools/:id",
    title: "Edit tool",
    render: ({ id }) => <PluginEditorPage key={id} namespace="tools" id={id!} />,
  },
  {
    path: "/workspace/models",
    title: "Models",
    render: () => <ModelsPage />,
    access: "admin",
    nav: { label: "Models", section: "Workspace", order: 30, icon: "◇" },
  },
];
