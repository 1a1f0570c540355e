#!/usr/bin/env bash
# Refresh the screenshots in docs/ (desktop and phone widget, staff search, task page) from the browser
# tests that take them, against the real app over the index `make index` built.
set -euo pipefail
cd "$(dirname "$0")/.."
TASKQA_SCREENSHOTS=docs TASKQA_BROWSER_APP=real .venv/bin/pytest -q -p no:cacheprovider tests/browser \
  -k "test_electricity_answer_streams_with_expandable_task_cards or test_phone_panel_is_a_modal_that_keeps_focus \
      or test_a_keyword_is_cut_off_highlighted_and_sortable or test_a_task_page_reads_copies_and_prints"
ls -l docs/screenshot-*.png
