"""hooks/a11y_markup.py: the accessibility attributes written into the built HTML."""

import pytest
from mkdocs.exceptions import PluginError

from hooks import a11y_markup

SEARCH = '<div class="md-search" data-md-component="search" role="dialog">'
# Material's markup for a nav section whose index page is its title link (navigation.indexes).
INDEXED = """<div class="md-nav__link md-nav__container">
  <a href="mnist/" class="md-nav__link ">
    <span class="md-ellipsis">
      框架
    </span>
  </a>
  <label class="md-nav__link " for="__nav_16" id="__nav_16_label" tabindex="">
    <span class="md-nav__icon md-icon"></span>
  </label>
</div>
<nav class="md-nav" data-md-level="1" aria-labelledby="__nav_16_label" aria-expanded="false">"""


def test_display_math_and_notebook_code_take_focus_with_a_name():
    html = (
        '<p><span class="arithmatex">\\(x\\)</span></p>'
        '<div class="arithmatex">\\[x^2\\]</div>'
        '<div class="highlight-ipynb hl-python"><pre>x = 1</pre></div>'
    )
    out = a11y_markup.focusable(html)
    assert '<span class="arithmatex">' in out  # inline math does not scroll
    assert '<div class="arithmatex" tabindex="0" role="group" aria-label="公式">' in out
    assert 'hl-python" tabindex="0" role="group" aria-label="代码">' in out


def test_the_search_dialog_gets_a_name():
    assert 'role="dialog" aria-label="搜索">' in a11y_markup.name_search_dialog(SEARCH)
    assert a11y_markup.name_search_dialog("<p>no header</p>") == "<p>no header</p>"
    with pytest.raises(PluginError, match="search dialog"):
        a11y_markup.name_search_dialog('<div data-md-component="search" class="md-search">')


def test_a_section_with_an_index_page_names_its_nav_after_its_title():
    out = a11y_markup.label_indexed_sections(INDEXED, "index.md")
    assert '<nav class="md-nav" data-md-level="1" aria-label="框架" aria-expanded' in out
    assert '<label class="md-nav__link " for="__nav_16" id="__nav_16_label" tabindex="">' in out


def test_a_nav_labelled_by_an_empty_label_fails_the_build():
    unnamed = INDEXED.replace('<a href="mnist/"', '<b href="mnist/"').replace("</a>", "</b>")
    with pytest.raises(PluginError, match="__nav_16_label"):
        a11y_markup.label_indexed_sections(unnamed, "index.md")
