// node-pg-migrate 9 declares its types only under package.json "exports", which this workspace's
// `"moduleResolution": "node"` does not read; this points the compiler at the same declarations.
declare module 'node-pg-migrate' {
  export * from 'node-pg-migrate/dist/bundle/index';
}
