import { useEffect, useState } from "react";
import { errorMessage } from "../../api/api-error.ts";
import { modelApi, type FilterOrderEntry } from "./model-api.ts";

export interface FilterOrderProps {
  modelId: string;
  /** Changes when the model's plugins were saved: the order is asked for again. */
  revision: unknown;
}

/**
 * The filters that run for a model, in the order they run, as the server resolves them (global
 * filters and the model's own, by their `priority` valve); toggle filters are marked, since they
 * run only when a user switches them on.
 */
export function FilterOrder({ modelId, revision }: FilterOrderProps) {
  const [filters, setFilters] = useState<FilterOrderEntry[] | { failed: string } | null>(null);

  useEffect(() => {
    let isCurrent = true;
    modelApi.filterOrder(modelId).then(
      (order) => isCurrent && setFilters(order),
      (error: unknown) => isCurrent && setFilters({ failed: errorMessage(error) }),
    );
    return () => {
      isCurrent = false;
    };
  }, [modelId, revision]);

  if (filters === null) return <span className="muted">Loading…</span>;
  if ("failed" in filters) return <span className="danger-text">Could not load: {filters.failed}</span>;
  if (filters.length === 0) return <span className="muted">No filters run.</span>;
  return (
    <ol className="filter-order" aria-label={`Filters of ${modelId}, in the order they run`}>
      {filters.map((filter) => (
        <li key={filter.id}>
          {filter.name}{" "}
          <span className="muted">
            (
            {[`priority ${filter.priority}`, filter.is_global && "global", filter.is_toggle && "when switched on"]
              .filter(Boolean)
              .join(", ")}
            )
          </span>
        </li>
      ))}
    </ol>
  );
}
