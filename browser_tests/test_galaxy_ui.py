"""The Keras tools in a real Galaxy, through its web UI: logging in and finding the tools.

1. log in through the login page;
2. the tool panel's section "Keras deep learning" lists every tool of tools/ by its name.

The tutorial's whole hands-on path is test_tutorial_path.py (the model-config form among it), the
raw-text route test_text_route.py; the shared UI steps are ui.py. Each test saves a screenshot to
results/browser/ (see conftest.py for the set-up).
"""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import tool_names
from ui import click, current_user_email, ensure_logged_in, login, open_tool_panel, screenshot, until

SECTION_NAME = "Keras deep learning"
MODEL_CONFIG_ID = "keras_model_config"


@pytest.fixture
def logged_in(driver, galaxy):
    """The browser logged in as the test user (through the login page when it is not yet)."""
    return ensure_logged_in(driver, galaxy)


# --------------------------------------------------------------------------- tests

def test_login(driver, galaxy, results_dir):
    """Log in as the test user through the login page."""
    driver.get(galaxy["url"] + "/")
    driver.delete_all_cookies()  # start logged out, whatever an earlier test did
    login(driver, galaxy)
    assert current_user_email(driver) == galaxy["user_email"]
    # The masthead's user menu shows the user's public name (the part of the e-mail before @).
    username = galaxy["user_email"].split("@")[0]
    until(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#masthead"), username),
          f"the masthead to show {username!r}")
    assert not driver.find_elements(By.CSS_SELECTOR, "form#login")
    screenshot(driver, results_dir, "login")


def test_tool_panel_lists_the_suite(logged_in, galaxy, results_dir):
    """The section "Keras deep learning" of the tool panel shows every tool of the suite by name."""
    driver = logged_in
    expected = tool_names(galaxy["tools_dir"])
    assert MODEL_CONFIG_ID in expected, f"no {MODEL_CONFIG_ID} among the tool XMLs of {galaxy['tools_dir']}"
    open_tool_panel(driver)
    title = until(driver, lambda d: next(
        (element for element in d.find_elements(By.CSS_SELECTOR, "#toolbox-panel .toolSectionTitle")
         if element.text.strip() == SECTION_NAME), False), f"the tool panel section {SECTION_NAME!r}")
    section = title.find_element(By.XPATH, "./ancestor::*[contains(@class, 'tool-panel-section')][1]")
    click(driver, title.find_element(By.CSS_SELECTOR, "a"), f"the section {SECTION_NAME!r}")
    missing = {}
    for tool_id, name in expected.items():
        link_css = f'.toolTitle a[href$="/?tool_id={tool_id}&version=latest"]'
        try:
            link = until(driver, lambda d: section.find_element(By.CSS_SELECTOR, link_css).is_displayed()
                         and section.find_element(By.CSS_SELECTOR, link_css),
                         f"the tool {tool_id} in the section", timeout=20)
        except AssertionError:
            missing[tool_id] = name
            continue
        if name not in " ".join(link.text.split()):
            missing[tool_id] = f"{name} (the link reads {link.text!r})"
    screenshot(driver, results_dir, "tool_panel")
    assert not missing, f"not shown in the section {SECTION_NAME!r}: {missing}"
