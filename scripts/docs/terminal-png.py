#!/usr/bin/env python3
"""Renders a terminal transcript (plain text) as a PNG through headless Chromium, for the README's screenshots.

usage: terminal-png.py TRANSCRIPT.txt OUT.png [WIDTH_PX]
Lines starting with "$ " are drawn as typed commands. There is no real terminal on the build machines, so the
transcript is captured with `cmd 2>&1 | tee` and drawn as a <pre> in a terminal-like page.
"""
import html, os, subprocess, sys, tempfile

def main():
    source, out = sys.argv[1], sys.argv[2]
    width = int(sys.argv[3]) if len(sys.argv) > 3 else 1100
    lines = open(source, encoding="utf-8").read().rstrip("\n").split("\n")
    body = []
    for line in lines:
        text = html.escape(line)
        if line.startswith("$ "):
            body.append(f'<span class="prompt">$</span> <span class="cmd">{text[2:]}</span>')
        elif line.startswith("✓"):
            body.append(f'<span class="ok">{text}</span>')
        elif line.startswith("✗"):
            body.append(f'<span class="bad">{text}</span>')
        elif ": note:" in line or ": hint:" in line:
            body.append(f'<span class="note">{text}</span>')
        else:
            body.append(text)
    columns = max(20, int((width - 32) / 7.55))   # DejaVu Sans Mono at 12.5 px: 7.5 px a character
    rows = sum(max(1, -(-len(line) // columns)) for line in lines)
    height = 28 + 17 * rows + 8
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><style>
    html, body {{ margin: 0; background: #1d1f21; }}
    pre {{ margin: 0; padding: 14px 16px; color: #d8d8d8; font: 12.5px/17px "DejaVu Sans Mono", monospace;
          white-space: pre-wrap; word-break: break-word; }}
    .prompt {{ color: #8abeb7; }} .cmd {{ color: #ffffff; font-weight: bold; }}
    .ok {{ color: #b5bd68; }} .bad {{ color: #cc6666; }} .note {{ color: #f0c674; }}
    </style></head><body><pre>{chr(10).join(body)}</pre></body></html>"""
    with tempfile.TemporaryDirectory() as folder:
        page_path = os.path.join(folder, "terminal.html")
        open(page_path, "w", encoding="utf-8").write(page)
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--window-size={width},{height}", f"--screenshot={os.path.abspath(out)}", "file://" + page_path],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

if __name__ == "__main__":
    main()
