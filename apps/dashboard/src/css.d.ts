// esbuild bundles the CSS imports into the hashed stylesheet.
declare module '*.css';
