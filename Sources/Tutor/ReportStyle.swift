/// The report's inline stylesheet: light and dark themes via `prefers-color-scheme`, no web fonts, no network.
enum ReportStyle {
    static let css = baseCSS + FigureRenderer.panelCSS

    private static let baseCSS = """
    :root { --bg: #fdfdfc; --fg: #1d1f21; --muted: #5c6166; --panel: #f3f4f5; --border: #d7dadd;
      --code-bg: #f6f8fa; --ok: #1a7f37; --bad: #b3261e; --warn: #9a6700; --link: #0b5cad; --mark: #ffe8e6; }
    @media (prefers-color-scheme: dark) {
      :root { --bg: #15171a; --fg: #e4e6e8; --muted: #a0a6ad; --panel: #1e2125; --border: #353a40;
        --code-bg: #1b1e22; --ok: #4ac26b; --bad: #ff7b72; --warn: #d29922; --link: #6cb6ff; --mark: #4a1f1c; }
    }
    * { box-sizing: border-box; }
    body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; }
    a { color: var(--link); }
    .banner { position: sticky; top: 0; z-index: 2; display: flex; gap: 1.2em; flex-wrap: wrap; align-items: baseline;
      padding: .5em 1.2em; background: var(--panel); border-bottom: 1px solid var(--border); font-size: .9em; }
    .banner .lesson-file { font-family: ui-monospace, monospace; color: var(--muted); }
    .headline.good { color: var(--ok); font-weight: 600; } .headline.bad { color: var(--bad); font-weight: 600; }
    .timing { color: var(--muted); }
    .layout { display: grid; grid-template-columns: minmax(12em, 16em) minmax(0, 1fr); gap: 2em; max-width: 78em; margin: 0 auto; padding: 1em; }
    @media (max-width: 800px) { .layout { grid-template-columns: 1fr; } }
    .toc { position: sticky; top: 3em; align-self: start; font-size: .9em; }
    .toc ul { list-style: none; padding: 0; margin: 0; } .toc li { margin: .2em 0; }
    .toc .level3 { padding-left: 1em; } .toc .level4 { padding-left: 2em; } .toc .problem a { color: var(--bad); }
    main { min-width: 0; }
    pre, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .88em; }
    main > p code, li code { background: var(--code-bg); padding: .1em .3em; border-radius: 3px; }
    .step { border: 1px solid var(--border); border-left: 4px solid var(--ok); border-radius: 6px; margin: 1.2em 0; background: var(--panel); overflow: hidden; }
    .step.status-compile-error, .step.status-trapped, .step.status-timed-out, .step.status-unexpected-success { border-left-color: var(--bad); }
    .step.status-todo, .step.status-not-run { border-left-color: var(--warn); }
    .step-head { display: flex; gap: 1em; align-items: center; padding: .3em .8em; font-size: .85em; color: var(--muted); }
    .badge { border: 1px solid currentColor; border-radius: 1em; padding: 0 .6em; }
    .status-ok .badge, .status-failed-as-declared .badge, .status-compiled-only .badge { color: var(--ok); }
    .status-compile-error .badge, .status-trapped .badge, .status-timed-out .badge, .status-unexpected-success .badge { color: var(--bad); }
    .status-todo .badge, .status-not-run .badge { color: var(--warn); }
    .step .badge.reference { color: var(--warn); margin-left: .4em; }
    .time { margin-left: auto; }
    .code { background: var(--code-bg); overflow-x: auto; border-top: 1px solid var(--border); }
    .code table { border-collapse: collapse; width: 100%; }
    .code td { padding: 0 .8em; white-space: pre; vertical-align: top; }
    .code td.ln { width: 1%; text-align: right; color: var(--muted); user-select: none; border-right: 1px solid var(--border); }
    .code tr.marked { background: var(--mark); }
    .output { border-top: 1px solid var(--border); padding: .4em .8em; background: var(--bg); }
    .output pre { margin: .3em 0; white-space: pre-wrap; }
    .stderr { margin: 0; padding: .4em .8em; color: var(--bad); background: var(--bg); border-top: 1px dashed var(--border); white-space: pre-wrap; }
    .message { margin: 0; padding: .4em .8em; color: var(--bad); font-family: ui-monospace, monospace; font-size: .88em; white-space: pre-wrap; }
    .note { color: var(--muted); font-size: .88em; margin: 0; padding: .2em .8em; }
    .diagnostics { margin: 0; padding: .3em .8em .3em 2em; font-size: .88em; }
    .diagnostics .error { color: var(--bad); } .diagnostics .warning { color: var(--warn); }
    .figure-group { display: flex; flex-wrap: wrap; gap: .8em; align-items: flex-end; }
    figure { margin: .4em 0; } figure img { max-width: 100%; height: auto; image-rendering: auto; border: 1px solid var(--border); background: #fff; }
    figure img.map { image-rendering: pixelated; }
    /* The maps of one show(heatmap:) call side by side at one size, whatever their stored resolution. */
    .figure-group figure { flex: 0 0 auto; }
    .figure-group :is(.role-heatmap, .role-overlay, .role-grayscale) img { width: 14em; max-width: calc(100vw - 3em); height: auto; }
    figure svg.chart { width: 100%; max-width: 40em; height: auto; color: var(--fg); }
    figure svg.colorbar { height: 224px; width: auto; color: var(--fg); }
    figure.role-chart figcaption { max-width: 40em; }
    figcaption { font-size: .85em; color: var(--muted); max-width: 16em; }
    figure:not(.role-colorbar) img { min-width: min(14em, 100%); }
    details.tests { margin: 1em 0; border: 1px dashed var(--border); border-radius: 6px; }
    details.tests summary { padding: .3em .8em; cursor: pointer; color: var(--muted); font-size: .9em; }
    .checks { margin-top: 2em; }
    .check-table { border-collapse: collapse; width: 100%; font-size: .9em; }
    .check-table th, .check-table td { border-bottom: 1px solid var(--border); padding: .3em .5em; text-align: left; vertical-align: top; }
    .test-passed td:nth-child(4) { color: var(--ok); } .test-failed td:nth-child(4), .test-crashed td:nth-child(4), .test-timed-out td:nth-child(4) { color: var(--bad); }
    .test-not-run td:nth-child(4) { color: var(--warn); }
    .subtotal td { font-weight: 600; }
    .exercise-checks { list-style: none; margin: 0; padding: .4em .8em; border-top: 1px solid var(--border); font-size: .9em; }
    .exercise-checks .total { font-weight: 600; }
    .exercise-checks .test-passed { color: var(--ok); }
    .exercise-checks .test-failed, .exercise-checks .test-crashed, .exercise-checks .test-timed-out { color: var(--bad); }
    .exercise-checks .test-not-run { color: var(--warn); }
    .exercise-checks .message { padding: .1em 0 .1em 1.2em; }
    """
}
