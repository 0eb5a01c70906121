#!/usr/bin/env python3
"""Screenshots a few steps of a tutor HTML report (for the README) through headless Chromium.

usage: report-png.py REPORT.html FIRST_STEP LAST_STEP OUT.png [WIDTH HEIGHT]
Keeps the report's <head> (its styles) and the <section> elements of steps FIRST_STEP..LAST_STEP (their ids).
"""
import os, re, subprocess, sys, tempfile

def main():
    report, first, last, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    width = int(sys.argv[5]) if len(sys.argv) > 5 else 900
    height = int(sys.argv[6]) if len(sys.argv) > 6 else 700
    page = open(report, encoding="utf-8").read()
    head = page[:page.index("<body")]
    start = page.index(f'id="step-{first}"')
    start = page.rindex("<section", 0, start)
    end = page.index(f'id="step-{last}"')
    end = page.index("</section>", end) + len("</section>")
    body = f'<body><main style="max-width: {width - 40}px; margin: 0 auto; padding: 10px 0">{page[start:end]}</main></body></html>'
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "steps.html")
        open(path, "w", encoding="utf-8").write(head + body)
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--window-size={width},{height}", f"--screenshot={os.path.abspath(out)}", "file://" + path],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

if __name__ == "__main__":
    main()
