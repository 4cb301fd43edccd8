/**
 * The release dry run: in a scratch copy of the workspace's manifests and `.changeset/`, add a
 * changeset that bumps `@ssekit/hub` alone, run `changeset version`, check that the whole fixed
 * group moved to one version with a CHANGELOG entry each, then `pnpm pack` every public package
 * and check that no `workspace:` range is left.
 *
 * Why a scratch copy of manifests rather than a clone plus `pnpm install`: `changeset version`
 * only reads and writes package.json, CHANGELOG.md and `.changeset/`, and `pnpm pack` only needs
 * each package's `dist` and the workspace links of its `@ssekit` dependencies, so a copy of those
 * (about 1 s) proves the same as a full install (minutes, and the network). The copy takes the
 * working tree, so a changeset that is not yet committed is part of the run.
 *
 * @module
 */
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { run } from './runtimes.mjs'
import { checkManifests, DEPENDENCY_FIELDS, PUBLIC_PACKAGES, packPackages } from './tarballs.mjs'

const DRY_RUN_CHANGESET = 'ssekit-runtimes-release-dry-run.md'

/**
 * Runs the dry run.
 *
 * @param repoRoot - the workspace root
 * @returns `{ checks: [{ name, ok, error? }], version }`
 */
export async function releaseDryRun(repoRoot) {
  const scratch = await mkdtemp(join(tmpdir(), 'ssekit-release-'))
  const checks = []
  const check = (name, ok, error) => checks.push({ name, ok, ...(ok ? {} : { error }) })
  try {
    for (const file of ['package.json', 'pnpm-workspace.yaml'])
      await cp(join(repoRoot, file), join(scratch, file))
    await cp(join(repoRoot, '.changeset'), join(scratch, '.changeset'), { recursive: true })
    const workspaceDirs = await listWorkspaceDirs(repoRoot)
    for (const dir of workspaceDirs) {
      await mkdir(join(scratch, dir), { recursive: true })
      await cp(join(repoRoot, dir, 'package.json'), join(scratch, dir, 'package.json'))
    }
    for (const name of PUBLIC_PACKAGES) {
      const dir = join('packages', name)
      for (const file of ['dist', 'README.md', 'LICENSE']) {
        if (existsSync(join(repoRoot, dir, file)))
          await cp(join(repoRoot, dir, file), join(scratch, dir, file), { recursive: true })
      }
    }
    // @changesets/cli and its default changelog module, from the workspace root.
    await symlink(join(repoRoot, 'node_modules'), join(scratch, 'node_modules'), 'dir')
    await writeFile(
      join(scratch, '.changeset', DRY_RUN_CHANGESET),
      '---\n"@ssekit/hub": patch\n---\n\nRelease dry run (tests/runtimes): a patch to the hub alone must move the whole fixed group.\n',
    )

    const manifestOf = async (dir) =>
      JSON.parse(await readFile(join(scratch, dir, 'package.json'), 'utf8'))
    const before = Object.fromEntries(
      await Promise.all(workspaceDirs.map(async (dir) => [dir, (await manifestOf(dir)).version])),
    )
    const out = await run(
      process.execPath,
      [join(repoRoot, 'node_modules/@changesets/cli/bin.js'), 'version'],
      {
        cwd: scratch,
        timeout: 120_000,
        env: { ...process.env, NO_COLOR: '1' },
      },
    )
    if (out.code !== 0)
      throw new Error(`changeset version failed (${out.code}):\n${out.stderr}${out.stdout}`)

    const publicDirs = PUBLIC_PACKAGES.map((name) => join('packages', name))
    const after = await Promise.all(publicDirs.map(manifestOf))
    const versions = [...new Set(after.map((manifest) => manifest.version))]
    const moved = after.every((manifest, index) => manifest.version !== before[publicDirs[index]])
    check(
      `changeset version moves the fixed group (${after.map((manifest) => manifest.name).join(', ')}) to one new version`,
      versions.length === 1 && moved,
      `versions after: ${after.map((manifest) => `${manifest.name}@${manifest.version}`).join(', ')}; before: ${publicDirs.map((dir) => before[dir]).join(', ')}`,
    )
    for (const [index, dir] of publicDirs.entries()) {
      const changelogPath = join(scratch, dir, 'CHANGELOG.md')
      const changelog = existsSync(changelogPath) ? await readFile(changelogPath, 'utf8') : ''
      check(
        `${after[index].name}: CHANGELOG.md has a section for ${after[index].version}`,
        changelog.includes(`## ${after[index].version}`),
        changelog
          ? `CHANGELOG.md has no "## ${after[index].version}" heading`
          : 'no CHANGELOG.md was written',
      )
    }
    const privateDirs = workspaceDirs.filter((dir) => !publicDirs.includes(dir))
    const privateMoved = []
    for (const dir of privateDirs) {
      const manifest = await manifestOf(dir)
      if (manifest.version !== before[dir])
        privateMoved.push(`${manifest.name}@${manifest.version}`)
    }
    check(
      'private workspace packages keep their version',
      privateMoved.length === 0,
      `versioned: ${privateMoved.join(', ')}`,
    )
    const left = (await readdir(join(scratch, '.changeset'))).filter(
      (file) => file.endsWith('.md') && file !== 'README.md',
    )
    check(
      'changeset version consumed every changeset',
      left.length === 0,
      `left: ${left.join(', ')}`,
    )

    // The links `pnpm install` would make, so pnpm pack can resolve workspace: ranges. A range
    // may name a private package outside packages/ (the devDependency @ssekit/test-support, in
    // tests/support), so each name is looked up among the workspace's manifests.
    const dirOf = new Map(
      await Promise.all(workspaceDirs.map(async (dir) => [(await manifestOf(dir)).name, dir])),
    )
    for (const [index, dir] of publicDirs.entries()) {
      const manifest = after[index]
      for (const field of DEPENDENCY_FIELDS) {
        for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
          if (!String(range).startsWith('workspace:')) continue
          const target = join(
            scratch,
            dirOf.get(dep) ?? join('packages', dep.replace('@ssekit/', '')),
          )
          const link = join(scratch, dir, 'node_modules', dep)
          await mkdir(dirname(link), { recursive: true })
          if (!existsSync(link)) await symlink(relative(dirname(link), target), link, 'dir')
        }
      }
    }
    const tarballs = join(scratch, 'tarballs')
    await mkdir(tarballs)
    const packed = await packPackages(scratch, tarballs)
    check(
      `pnpm pack of the versioned packages gives ${versions[0]} tarballs`,
      packed.every((pkg) => pkg.manifest.version === versions[0]),
      packed.map((pkg) => `${pkg.name}@${pkg.manifest.version}`).join(', '),
    )
    for (const item of checkManifests(packed)) {
      checks.push({ ...item, name: `after changeset version: ${item.name}` })
    }
    return { checks, version: versions[0] }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/** The workspace package directories, from pnpm-workspace.yaml's `packages` globs (`dir` or `dir/*`). */
async function listWorkspaceDirs(repoRoot) {
  const yaml = await readFile(join(repoRoot, 'pnpm-workspace.yaml'), 'utf8')
  const globs = []
  let inPackages = false
  for (const line of yaml.split('\n')) {
    if (/^packages:\s*$/.test(line)) inPackages = true
    else if (/^\S/.test(line)) inPackages = false
    else if (inPackages) {
      const match = /^\s+-\s+['"]?([^'"\s#]+)['"]?/.exec(line)
      if (match) globs.push(match[1])
    }
  }
  const dirs = []
  for (const glob of globs) {
    if (glob.endsWith('/*')) {
      const parent = glob.slice(0, -2)
      if (!existsSync(join(repoRoot, parent))) continue
      for (const entry of await readdir(join(repoRoot, parent), { withFileTypes: true })) {
        if (entry.isDirectory() && existsSync(join(repoRoot, parent, entry.name, 'package.json')))
          dirs.push(join(parent, entry.name))
      }
    } else if (existsSync(join(repoRoot, glob, 'package.json'))) dirs.push(glob)
  }
  return dirs
}
