export interface PermissionFlagsOptions {
  /** The child entry script: the one file outside its folder a child may read. */
  scriptPath: string;
  /** The plugin's own folder, `<DATA_DIR>/plugins/<id>`: readable and writable. */
  folder: string;
  /** The V8 heap limit (`--max-old-space-size`), in MB. */
  memoryLimitMb: number;
}

/**
 * The Node flags of a trusted-tier child: the permission model on (`--permission`) with file
 * reads limited to the entry script and the plugin's folder, writes to the folder; no child
 * processes, workers, native addons, WASI or inspector (the permission model denies what is
 * not allowed); a heap limit. Node 24 has no flag for the network: the child can reach any host.
 *
 * @example
 * permissionFlags({ scriptPath: "/data/node-tier/child-1a2b.cjs", folder: "/data/plugins/fs_tool", memoryLimitMb: 128 });
 * // ["--permission", "--allow-fs-read=/data/node-tier/child-1a2b.cjs", "--allow-fs-read=/data/plugins/fs_tool", …]
 */
export function permissionFlags(options: PermissionFlagsOptions): string[] {
  return [
    "--permission",
    `--allow-fs-read=${options.scriptPath}`,
    `--allow-fs-read=${options.folder}`,
    `--allow-fs-write=${options.folder}`,
    `--max-old-space-size=${Math.max(Math.trunc(options.memoryLimitMb), 8)}`,
  ];
}
