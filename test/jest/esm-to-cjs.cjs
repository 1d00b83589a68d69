// Jest on Node 20 cannot require() an ES module from a CommonJS package (Node itself can, since
// 20.19). For the few leaf ESM packages that CommonJS dependencies require (content-disposition,
// required by @fastify/static, which Swagger UI needs), this transformer hands Jest's CommonJS loader a
// CommonJS build of the file. ES imports of the same file are left untouched.
const { createHash } = require('node:crypto');
const ts = require('typescript');

module.exports = {
  process(source, filename, options) {
    if (options.supportsStaticESM) return { code: source };
    const out = ts.transpileModule(source, {
      fileName: filename,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        allowJs: true,
        esModuleInterop: true,
      },
    });
    return { code: out.outputText };
  },
  getCacheKey(source, filename, options) {
    return createHash('sha256')
      .update(source)
      .update(filename)
      .update(String(options.supportsStaticESM))
      .digest('hex');
  },
};
