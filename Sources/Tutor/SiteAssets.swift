/// The site's stylesheet and script, written once into `DIR/assets/` (no web fonts, no CDN: nothing leaves DIR).
enum SiteAssets {
    /// Light theme by default, dark when the reader's system asks for it or they pick it (`data-theme` on <html>).
    static let css = baseCSS + FigureRenderer.panelCSS

    private static let baseCSS = """
    :root { --bg: #fdfdfc; --fg: #1d1f21; --muted: #5c6166; --panel: #f3f4f5; --border: #d7dadd;
      --code-bg: #f6f8fa; --ok: #1a7f37; --bad: #b3261e; --warn: #8a5d00; --link: #0b5cad; --mark: #fff3b0; --accent: #0b5cad; }
    :root[data-theme="dark"] { --bg: #15171a; --fg: #e4e6e8; --muted: #a0a6ad; --panel: #1e2125; --border: #353a40;
      --code-bg: #1b1e22; --ok: #4ac26b; --bad: #ff7b72; --warn: #d29922; --link: #6cb6ff; --mark: #5a4a00; --accent: #6cb6ff; color-scheme: dark; }
    @media (prefers-color-scheme: dark) {
      :root:not([data-theme="light"]) { --bg: #15171a; --fg: #e4e6e8; --muted: #a0a6ad; --panel: #1e2125; --border: #353a40;
        --code-bg: #1b1e22; --ok: #4ac26b; --bad: #ff7b72; --warn: #d29922; --link: #6cb6ff; --mark: #5a4a00; --accent: #6cb6ff; color-scheme: dark; }
    }
    :root[data-theme="light"] { color-scheme: light; }
    * { box-sizing: border-box; }
    html { scroll-padding-top: 4em; }
    body { margin: 0; background: var(--bg); color: var(--fg); font: 17px/1.6 system-ui, -apple-system, "Segoe UI", sans-serif; }
    a { color: var(--link); }
    :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
    .skip { position: absolute; left: -999em; } .skip:focus { left: 1em; top: .5em; z-index: 10; background: var(--bg); padding: .3em .6em; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
    .topbar { position: sticky; top: 0; z-index: 5; display: flex; gap: .8em; align-items: center; padding: .45em 1em;
      background: var(--panel); border-bottom: 1px solid var(--border); }
    .topbar .brand { font-weight: 700; color: var(--fg); text-decoration: none; margin-right: auto; }
    .topbar input[type=search] { font: inherit; font-size: .9em; padding: .25em .5em; width: 14em; max-width: 40vw;
      color: var(--fg); background: var(--bg); border: 1px solid var(--border); border-radius: 4px; }
    button { font: inherit; font-size: .85em; color: var(--fg); background: var(--bg); border: 1px solid var(--border);
      border-radius: 4px; padding: .2em .6em; cursor: pointer; }
    button:hover { border-color: var(--accent); }
    .menu-toggle { display: none; }
    html:not(.js) #theme-toggle, html:not(.js) #menu-toggle { display: none; } /* they need the script; without it the system theme applies and the sidebar stays open */
    .layout { display: grid; grid-template-columns: minmax(13em, 17em) minmax(0, 1fr); gap: 2.5em; max-width: 82em; margin: 0 auto; padding: 1em 1.2em 3em; }
    .sidebar { position: sticky; top: 3.6em; align-self: start; max-height: calc(100vh - 4.5em); overflow-y: auto; font-size: .9em; }
    .sidebar ol, .sidebar ul { list-style: none; padding: 0; margin: 0; }
    .sidebar li { margin: .25em 0; } .sidebar .sections { padding-left: 1em; border-left: 2px solid var(--border); margin: .3em 0 .6em .2em; }
    .sidebar .sections a { color: var(--muted); } .sidebar [aria-current="page"] { font-weight: 700; color: var(--fg); }
    .sidebar .extra { margin-top: 1.2em; padding-top: .8em; border-top: 1px solid var(--border); }
    @media (max-width: 860px) {
      .layout { grid-template-columns: 1fr; }
      .menu-toggle { display: inline-block; }
      .sidebar { position: static; max-height: none; }
      .js .sidebar:not(.open) { display: none; }
      .topbar { flex-wrap: wrap; }
      .topbar .brand { flex: 1 1 0; min-width: 0; }
      .topbar .search { order: 5; flex: 1 1 100%; }
      .topbar input[type=search] { width: 100%; max-width: none; }
    }
    main { min-width: 0; max-width: 52em; }
    h1 { line-height: 1.25; } h2 { margin-top: 1.8em; }
    pre, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .86em; }
    :not(pre) > code { background: var(--code-bg); padding: .1em .3em; border-radius: 3px; }
    .codeblock { position: relative; margin: 1em 0; }
    .codeblock pre { margin: 0; padding: .8em 1em; overflow-x: auto; background: var(--code-bg); border: 1px solid var(--border); border-radius: 6px; }
    .codeblock .copy { position: absolute; top: .4em; right: .4em; opacity: .75; }
    .codeblock .copy:hover, .codeblock .copy:focus-visible { opacity: 1; }
    .step-label { font-size: .8em; color: var(--muted); margin: 1.2em 0 -.6em; }
    .exercise { border: 2px solid var(--accent); border-radius: 8px; padding: .2em 1em .8em; margin: 1.4em 0; }
    .exercise > .step-label { margin-top: .6em; font-weight: 600; color: var(--accent); }
    details { margin: .8em 0; }
    details > summary { cursor: pointer; color: var(--link); }
    details.solution { border-left: 3px solid var(--ok); padding-left: .8em; }
    .checks { font-size: .92em; border: 1px dashed var(--border); border-radius: 6px; padding: .3em 1em; margin: 1em 0; }
    .checks ul { margin: .3em 0; padding-left: 1.3em; }
    .step-status { color: var(--bad); font-size: .9em; } .step-status.declared { color: var(--muted); }
    .output { margin: .4em 0 1.2em; padding: .4em .8em; border-left: 3px solid var(--border); }
    .output pre { margin: .3em 0; white-space: pre-wrap; }
    .message { color: var(--bad); font-family: ui-monospace, monospace; font-size: .86em; white-space: pre-wrap; }
    .note { color: var(--muted); font-size: .86em; }
    .figure-group { display: flex; flex-wrap: wrap; gap: .8em; align-items: flex-end; }
    figure { margin: .4em 0; } figure img { max-width: 100%; height: auto; border: 1px solid var(--border); background: #fff; }
    figure img.map { image-rendering: pixelated; }
    .figure-group figure { max-width: 16em; }
    .figure-group figure { flex: 0 0 auto; }
    .figure-group :is(.role-heatmap, .role-overlay, .role-grayscale) img { width: 14em; max-width: calc(100vw - 3em); height: auto; }
    figcaption { font-size: .85em; color: var(--muted); max-width: 18em; }
    figure svg.chart { width: 100%; max-width: 40em; height: auto; color: var(--fg); }
    figure.role-chart figcaption { max-width: 40em; }
    figure svg.colorbar { height: 224px; width: auto; color: var(--fg); }
    .symbol { border-top: 1px solid var(--border); margin: 1.2em 0; padding-top: .4em; }
    .symbol h3, .symbol h4 { margin: .3em 0; font-size: 1em; overflow-wrap: anywhere; }
    pre.declaration, .doc pre { margin: .4em 0; padding: .6em .9em; overflow-x: auto; background: var(--code-bg); border: 1px solid var(--border); border-radius: 6px; }
    .crumbs { color: var(--muted); font-size: .9em; margin: 0; }
    .api-list dt { margin-top: .7em; } .api-list dd { margin-left: 1.2em; }
    .pager { display: flex; justify-content: space-between; gap: 1em; margin-top: 3em; padding-top: 1em; border-top: 1px solid var(--border); }
    .pager a { display: block; max-width: 48%; } .pager .next { margin-left: auto; text-align: right; }
    .pager small { display: block; color: var(--muted); }
    .lessons { list-style: none; padding: 0; } .lessons li { margin: 1em 0; padding: .6em 1em; border: 1px solid var(--border); border-radius: 8px; background: var(--panel); }
    .lessons .title { font-weight: 700; font-size: 1.05em; } .lessons p { margin: .3em 0; }
    .status { font-size: .85em; } .status.good { color: var(--ok); } .status.bad { color: var(--bad); }
    .results { list-style: none; padding: 0; } .results li { margin: 1em 0; } .results .where { color: var(--muted); font-size: .85em; }
    mark { background: var(--mark); color: inherit; }
    footer { color: var(--muted); font-size: .8em; text-align: center; padding: 2em 1em; border-top: 1px solid var(--border); }
    @media print {
      .topbar, .sidebar, .pager, .copy, .skip, footer { display: none !important; }
      .layout { display: block; padding: 0; max-width: none; }
      body { font-size: 11pt; background: #fff; color: #000; }
      a { color: #000; } main a[href^="http"]::after { content: " (" attr(href) ")"; font-size: .85em; }
      .codeblock pre { white-space: pre-wrap; border-color: #999; background: #fff; }
      details.solution:not([open]) { display: none; }
      figure, .codeblock, .exercise { break-inside: avoid; }
      figure svg { color: #000; }
    }
    """

    /// Theme (as early as possible, to avoid a flash), copy buttons, the narrow-screen menu and search.
    static let js = #"""
    (function () {
      'use strict';
      var root = document.documentElement;
      var stored = null;
      try { stored = window.localStorage.getItem('tutor-theme'); } catch (e) { /* file:// without storage */ }
      var asked = new URLSearchParams(window.location.search).get('theme');
      var theme = asked === 'dark' || asked === 'light' ? asked : stored;
      if (theme) root.setAttribute('data-theme', theme);
      root.classList.add('js');

      function currentTheme() {
        var set = root.getAttribute('data-theme');
        if (set) return set;
        return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
      }

      function setUpThemeToggle() {
        var button = document.getElementById('theme-toggle');
        if (!button) return;
        function label() {
          var next = currentTheme() === 'dark' ? 'light' : 'dark';
          button.textContent = next === 'dark' ? 'Dark theme' : 'Light theme';
          button.setAttribute('aria-label', 'Switch to the ' + next + ' theme');
        }
        label();
        button.addEventListener('click', function () {
          var next = currentTheme() === 'dark' ? 'light' : 'dark';
          root.setAttribute('data-theme', next);
          try { window.localStorage.setItem('tutor-theme', next); } catch (e) { /* ignore */ }
          label();
        });
      }

      function setUpMenu() {
        var button = document.getElementById('menu-toggle');
        var sidebar = document.getElementById('sidebar');
        if (!button || !sidebar) return;
        button.addEventListener('click', function () {
          var open = sidebar.classList.toggle('open');
          button.setAttribute('aria-expanded', open ? 'true' : 'false');
        });
      }

      function copyText(text, done) {
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallbackCopy(text)); });
        } else {
          done(fallbackCopy(text));
        }
      }

      function fallbackCopy(text) {
        var area = document.createElement('textarea');
        area.value = text;
        area.setAttribute('readonly', '');
        area.style.position = 'fixed';
        area.style.opacity = '0';
        document.body.appendChild(area);
        area.select();
        var ok = false;
        try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
        document.body.removeChild(area);
        return ok;
      }

      function setUpCopyButtons() {
        var blocks = document.querySelectorAll('.codeblock');
        for (var i = 0; i < blocks.length; i++) {
          (function (block) {
            var code = block.querySelector('code');
            if (!code) return;
            var button = document.createElement('button');
            button.type = 'button';
            button.className = 'copy';
            button.textContent = 'Copy';
            button.setAttribute('aria-label', 'Copy this code');
            button.addEventListener('click', function () {
              copyText(code.textContent, function (ok) {
                button.textContent = ok ? 'Copied' : 'Select and copy';
                setTimeout(function () { button.textContent = 'Copy'; }, 1600);
              });
            });
            block.insertBefore(button, block.firstChild);
          })(blocks[i]);
        }
      }

      // Search: every term must occur; title and heading hits weigh more than text hits.
      function terms(query) {
        return query.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter(function (t) { return t.length > 0; });
      }

      function search(index, query) {
        var words = terms(query);
        if (words.length === 0) return [];
        var hits = [];
        index.forEach(function (entry) {
          var title = entry.lesson.toLowerCase(), heading = entry.heading.toLowerCase(), text = entry.text.toLowerCase();
          var score = 0;
          for (var i = 0; i < words.length; i++) {
            var w = words[i];
            var inText = text.split(w).length - 1;
            var s = (title.indexOf(w) >= 0 ? 5 : 0) + (heading.indexOf(w) >= 0 ? 8 : 0) + Math.min(inText, 10);
            if (s === 0) return;
            score += s;
          }
          hits.push({ entry: entry, score: score });
        });
        hits.sort(function (a, b) { return b.score - a.score; });
        return hits.slice(0, 50);
      }

      function snippet(text, words) {
        var lower = text.toLowerCase();
        var at = -1;
        for (var i = 0; i < words.length && at < 0; i++) at = lower.indexOf(words[i]);
        var start = Math.max(0, at - 80);
        var part = (start > 0 ? '…' : '') + text.slice(start, start + 220) + (start + 220 < text.length ? '…' : '');
        return part;
      }

      // Builds text with <mark> around the terms, through DOM nodes only (never innerHTML).
      function highlighted(text, words) {
        var fragment = document.createDocumentFragment();
        var lower = text.toLowerCase();
        var i = 0;
        while (i < text.length) {
          var best = -1, length = 0;
          words.forEach(function (w) {
            var at = lower.indexOf(w, i);
            if (at >= 0 && (best < 0 || at < best)) { best = at; length = w.length; }
          });
          if (best < 0) { fragment.appendChild(document.createTextNode(text.slice(i))); break; }
          if (best > i) fragment.appendChild(document.createTextNode(text.slice(i, best)));
          var mark = document.createElement('mark');
          mark.textContent = text.slice(best, best + length);
          fragment.appendChild(mark);
          i = best + length;
        }
        return fragment;
      }

      function setUpSearchPage() {
        var list = document.getElementById('search-results');
        if (!list) return;
        var status = document.getElementById('search-status');
        var input = document.getElementById('search-box');
        var index = window.TUTOR_SEARCH_INDEX || [];
        function show(query) {
          while (list.firstChild) list.removeChild(list.firstChild);
          var words = terms(query);
          var hits = search(index, query);
          status.textContent = words.length === 0 ? 'Type a word to search the course.'
            : hits.length + (hits.length === 1 ? ' result' : ' results') + ' for “' + query + '”';
          hits.forEach(function (hit) {
            var item = document.createElement('li');
            var link = document.createElement('a');
            link.href = hit.entry.url;
            link.appendChild(highlighted(hit.entry.heading || hit.entry.lesson, words));
            item.appendChild(link);
            var where = document.createElement('div');
            where.className = 'where';
            where.textContent = hit.entry.lesson;
            item.appendChild(where);
            var text = document.createElement('p');
            text.appendChild(highlighted(snippet(hit.entry.text, words), words));
            item.appendChild(text);
            list.appendChild(item);
          });
        }
        var query = new URLSearchParams(window.location.search).get('q') || '';
        if (input) {
          input.value = query;
          input.addEventListener('input', function () { show(input.value); });
        }
        show(query);
      }

      document.addEventListener('DOMContentLoaded', function () {
        setUpThemeToggle();
        setUpMenu();
        setUpCopyButtons();
        setUpSearchPage();
      });
    })();
    """#
}
