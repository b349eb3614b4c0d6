"""The Keras tools in a real Galaxy, through its web UI, as a person uses them.

1. log in through the login page;
2. the tool panel's section "Keras deep learning" lists every tool of tools/ by its name;
3. the model-config form, filled in as the GTN tutorial's hands-on box says (sequential,
   input_shape (500,), Embedding 10000/32, LSTM 100, Dense 1 sigmoid), runs to a green dataset
   whose content is that Keras model JSON.

Each test saves a screenshot to results/browser/ (see conftest.py for the set-up).
"""

import json
import time

import pytest
from selenium.common.exceptions import (ElementClickInterceptedException, StaleElementReferenceException,
                                        TimeoutException)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import JOB_TIMEOUT, UI_TIMEOUT, tool_names

SECTION_NAME = "Keras deep learning"
MODEL_CONFIG_ID = "keras_model_config"
HISTORY_NAME = "Browser test: model architecture"
TUTORIAL_LABELS = ("Select keras model type", "input_shape", "LAYER", "Choose the type of layer")
# The tutorial's hands-on box: (option text of "Choose the type of layer", its value,
# [(parameter, value to type or (option text, option value) to choose)]).
TUTORIAL_LAYERS = [
    ("Embedding -- Embedding", "Embedding", [("input_dim", "10000"), ("output_dim", "32")]),
    ("Recurrent -- LSTM", "LSTM", [("units", "100")]),
    ("Core -- Dense", "Dense", [("units", "1"), ("activation", ("sigmoid", "sigmoid"))]),
]
TERMINAL_STATES = {"ok", "error", "failed_metadata", "discarded", "deferred", "paused"}


# --------------------------------------------------------------------------- helpers

def wait(driver, timeout=UI_TIMEOUT):
    return WebDriverWait(driver, timeout, poll_frequency=0.5,
                         ignored_exceptions=(StaleElementReferenceException,))


def until(driver, condition, what, timeout=UI_TIMEOUT):
    """wait().until with a message that says what was awaited."""
    try:
        return wait(driver, timeout).until(condition)
    except TimeoutException as error:
        raise AssertionError(f"timed out after {timeout} s waiting for {what} "
                             f"(page {driver.current_url})") from error


def visible(driver, css, what=None, timeout=UI_TIMEOUT):
    return until(driver, EC.visibility_of_element_located((By.CSS_SELECTOR, css)), what or css, timeout)


def screenshot(driver, results_dir, name):
    path = results_dir / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


SCROLLER_JS = """
let el = document.querySelector(arguments[0]);
while (el && el !== document.body) {
    if (/(auto|scroll)/.test(getComputedStyle(el).overflowY) && el.scrollHeight > el.clientHeight) {
        if (arguments[1]) { el.scrollTop = 0; }
        return [el.scrollHeight, el.clientHeight];
    }
    el = el.parentElement;
}
return [0, 0];
"""


def tall_screenshot(driver, results_dir, name, inner_css):
    """A screenshot of the whole centre panel: the window made as tall as the content that
    scrolls inside it (the element around `inner_css`), then set back."""
    size = driver.get_window_size()
    scroll_height, client_height = driver.execute_script(SCROLLER_JS, inner_css, True)
    extra = max(0, scroll_height - client_height)

    def laid_out(d):  # the scrolling box grew, or nothing scrolls any more
        height = d.execute_script(SCROLLER_JS, inner_css, True)[1]
        return height == 0 or height > client_height

    try:
        if extra:
            driver.set_window_size(size["width"], min(size["height"] + extra + 20, 8000))
            until(driver, laid_out, "the taller window to lay the page out anew", timeout=10)
        return screenshot(driver, results_dir, name)
    finally:
        driver.set_window_size(size["width"], size["height"])


def browser_get_json(driver, path):
    """GET a Galaxy path with the browser's own session (its cookie), JSON back."""
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin', headers: {'Accept': 'application/json'}})"
        ".then(r => r.json()).then(done).catch(e => done({'browser_fetch_error': String(e)}));", path)
    if isinstance(result, dict) and "browser_fetch_error" in result:
        raise AssertionError(f"fetch {path} in the browser failed: {result['browser_fetch_error']}")
    return result


def current_user_email(driver):
    try:
        return (browser_get_json(driver, "/api/users/current") or {}).get("email")
    except AssertionError:
        return None


def click(driver, element, what="the element"):
    """Scroll an element to the middle of the view and click it; while something covers it
    (a tooltip, the form's busy backdrop), wait and click again."""
    def clicked(d):
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        try:
            element.click()
            return True
        except ElementClickInterceptedException:
            return False

    until(driver, clicked, f"{what} to take a click")


def login(driver, galaxy):
    """Log in through /login/start the way a person does: type e-mail and password, click Login."""
    driver.get(galaxy["url"] + "/login/start")
    form = visible(driver, "form#login", "the login form")
    name = form.find_element(By.NAME, "login")
    password = form.find_element(By.NAME, "password")
    name.clear()
    name.send_keys(galaxy["user_email"])
    password.clear()
    password.send_keys(galaxy["password"])
    click(driver, form.find_element(By.XPATH, ".//button[@name='login']"), "Login")
    visible(driver, "#masthead .loggedin-only", "the masthead of a logged-in user")


FORM_IDLE_JS = """
return (window.__galaxyToolBuilds || 0) === 0 && !Array.from(document.querySelectorAll(
    '#center .portlet-backdrop')).some(element => getComputedStyle(element).display !== 'none');
"""


def wait_form_idle(driver, what, quiet_s=1.0):
    """Wait until the tool form is not rebuilding: no build request in flight and no busy
    backdrop over the form, for `quiet_s` in a row (a change starts its rebuild a moment later)."""
    since = []

    def idle(d):
        if not d.execute_script(FORM_IDLE_JS):
            since.clear()
            return False
        since.append(time.monotonic())
        return since[-1] - since[0] >= quiet_s

    until(driver, idle, f"the tool form to settle after {what}")


def form_element(param):
    """CSS of a tool form parameter's block, by its expanded name (as navigation.yml does)."""
    return f'div.ui-form-element[id="form-element-{param}"]'


def choose(driver, param, text, value):
    """Choose an option of a select widget: click it, type the option's text, press Enter."""
    block = form_element(param)
    wait_form_idle(driver, f"the change before {param}")
    widget = visible(driver, f"{block} .multiselect", f"the select of {param}")
    click(driver, widget, f"the select of {param}")
    search = visible(driver, f"{block} .multiselect.multiselect--active input.multiselect__input",
                     f"the open option list of {param}")
    search.send_keys(text)
    # The list filters as one types; Enter takes the highlighted option. When another option
    # matches first (typing "sigmoid" also matches "hard_sigmoid"), click the exact one.
    highlighted = until(driver, lambda d: d.find_element(
        By.CSS_SELECTOR, f"{block} .multiselect__option--highlight"), f"a matching option of {param}")
    if highlighted.text.strip() == text:
        search.send_keys(Keys.ENTER)
    else:
        exact = until(driver, lambda d: next(
            (option for option in d.find_elements(By.CSS_SELECTOR, f"{block} .multiselect__option")
             if option.is_displayed() and option.text.strip() == text), False),
            f"the option {text!r} of {param}")
        click(driver, exact, f"the option {text!r}")
    until(driver, EC.presence_of_element_located(
        (By.CSS_SELECTOR, f'{block} [data-selected-value="{value}"]')), f"{param} to become {value!r}")
    until(driver, EC.invisibility_of_element_located(
        (By.CSS_SELECTOR, f"{block} .multiselect__content-wrapper")), f"the option list of {param} to close")


def type_value(driver, param, value):
    """Replace a text or number field's value as a person does: select all, type."""
    wait_form_idle(driver, f"the change before {param}")
    field = visible(driver, f"{form_element(param)} input", f"the field {param}")
    click(driver, field, f"the field {param}")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(value)
    until(driver, lambda d: field.get_attribute("value") == value, f"{param} to read {value!r}")


def label_visible(driver, label):
    """Some visible element whose own text is `label` (a field label or a section title)."""
    xpath = f"//*[normalize-space(text())='{label}']"
    return any(element.is_displayed() for element in driver.find_elements(By.XPATH, xpath))


def layer_blocks(driver):
    return driver.find_elements(
        By.CSS_SELECTOR, 'div.ui-form-element[id^="form-element-model_selection|layers_"]'
                         '[id$="|layer_selection|layer_type"]')


def open_tool_panel(driver):
    """Show the tool panel. Galaxy opens it on its home page once the toolbox has loaded; a
    click on the Tools activity while it is still loading would close it again, so click only
    when the panel has not come up by itself and the activity is not the active one."""
    panel = '#toolbox-panel [data-description="panel toolbox"]'
    activity = visible(driver, "#activity-tools", "the Tools activity in the activity bar")
    try:
        return visible(driver, panel, timeout=15)
    except AssertionError:
        item = activity.find_element(By.XPATH, "./ancestor::li[1]")
        if "nav-item-active" not in (item.get_attribute("class") or ""):
            click(driver, activity, "the Tools activity")
        return visible(driver, panel, "the tool panel")


def expected_form_values():
    """{parameter: value} of the form filled in as the tutorial says."""
    values = {"model_selection|model_type": "sequential", "model_selection|input_shape": "(500,)"}
    for index, (_, value, fields) in enumerate(TUTORIAL_LAYERS):
        prefix = f"model_selection|layers_{index}|layer_selection"
        values[f"{prefix}|layer_type"] = value
        for name, setting in fields:
            values[f"{prefix}|{name}"] = setting[1] if isinstance(setting, tuple) else setting
    return values


def form_values(driver):
    """{parameter: value} as the form shows them now, for the parameters of expected_form_values()."""
    shown = {}
    for param in expected_form_values():
        block = driver.find_element(By.CSS_SELECTOR, form_element(param))
        selected = block.find_elements(By.CSS_SELECTOR, "[data-selected-value]")
        shown[param] = (selected[0].get_attribute("data-selected-value") if selected
                        else block.find_element(By.CSS_SELECTOR, "input").get_attribute("value"))
    return shown


def history_item_state(driver, hid):
    items = driver.find_elements(By.CSS_SELECTOR, f'#current-history-panel .content-item[data-hid="{hid}"]')
    return items[0].get_attribute("data-state") if items else None


# --------------------------------------------------------------------------- fixtures

@pytest.fixture
def logged_in(driver, galaxy):
    """The browser logged in as the test user (through the login page when it is not yet)."""
    driver.get(galaxy["url"] + "/")
    visible(driver, "#masthead", "Galaxy's masthead")
    if current_user_email(driver) != galaxy["user_email"]:
        login(driver, galaxy)
    return driver


@pytest.fixture
def new_history(logged_in, galaxy):
    """A new, empty current history made with the history panel's "+" button, named HISTORY_NAME.

    Histories of that name that earlier runs left are purged first.
    """
    driver, client = logged_in, galaxy["client"]
    for history in client.histories.get_histories(name=HISTORY_NAME):
        client.histories.delete_history(history["id"], purge=True)
    before = browser_get_json(driver, "/history/current_history_json")["id"]
    button = visible(driver, '[data-description="create new history"]', "the create-new-history button")
    click(driver, button, "the create-new-history button")

    def switched(d):  # the id of the new current history, once the switch is done
        current = (browser_get_json(d, "/history/current_history_json") or {}).get("id")
        return current if current not in (None, before) else False

    history_id = until(driver, switched, "a new current history")
    client.histories.update_history(history_id, name=HISTORY_NAME)
    until(driver, EC.text_to_be_present_in_element(
        (By.CSS_SELECTOR, "#current-history-panel"), HISTORY_NAME), "the history panel to show the new name")
    return history_id


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


def test_model_config_form_runs_to_model_json(logged_in, new_history, galaxy, results_dir):
    """The model-config form, filled in as the tutorial says, makes a green dataset: the model JSON."""
    driver, url = logged_in, galaxy["url"]
    driver.get(f"{url}/?tool_id={MODEL_CONFIG_ID}")
    visible(driver, "button#execute", "the tool form's Run Tool button")
    visible(driver, form_element("model_selection|model_type"), "the model type field")
    # The form rebuilds itself once the history panel has loaded the current history: let that
    # happen before typing, or the rebuild could reset a value.
    until(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#current-history-panel"), HISTORY_NAME),
          "the history panel to show the test's history")
    wait_form_idle(driver, "loading the form")
    missing = [label for label in TUTORIAL_LABELS if not label_visible(driver, label)]
    assert not missing, f"labels not shown on the form: {missing}"

    choose(driver, "model_selection|model_type", "Sequential", "sequential")
    type_value(driver, "model_selection|input_shape", "(500,)")
    insert = driver.find_element(By.XPATH, "//button[.//*[@data-description='repeat insert']]")
    while len(layer_blocks(driver)) < len(TUTORIAL_LAYERS):
        count = len(layer_blocks(driver))
        wait_form_idle(driver, f"LAYER {count}")
        click(driver, insert, "Insert LAYER")
        until(driver, lambda d: len(layer_blocks(d)) > count, f"LAYER {count + 1} to appear")
    assert len(layer_blocks(driver)) == len(TUTORIAL_LAYERS)
    for index, (text, value, fields) in enumerate(TUTORIAL_LAYERS):
        prefix = f"model_selection|layers_{index}|layer_selection"
        choose(driver, f"{prefix}|layer_type", text, value)
        for name, setting in fields:
            visible(driver, form_element(f"{prefix}|{name}"), f"the field {name} of a {value} layer")
            if isinstance(setting, tuple):
                choose(driver, f"{prefix}|{name}", *setting)
            else:
                type_value(driver, f"{prefix}|{name}", setting)

    # Every value still as chosen (a form rebuild could have reset one), then run.
    wait_form_idle(driver, "filling in the form")
    assert form_values(driver) == expected_form_values(), "the form does not show the tutorial's values"
    execute = visible(driver, "button#execute", "the Run Tool button")
    until(driver, lambda d: execute.get_attribute("aria-disabled") != "true",
          "the Run Tool button to be enabled (the form has no error)")
    tall_screenshot(driver, results_dir, "model_config_form", "#tool-card-body")
    click(driver, execute, "Run Tool")

    # The new history's first dataset: wait in the UI until it is green (or fails).
    visible(driver, '#current-history-panel .content-item[data-hid="1"]',
            "the tool's output in the history panel", timeout=UI_TIMEOUT)
    state = until(driver, lambda d: (history_item_state(d, 1) in TERMINAL_STATES) and history_item_state(d, 1),
                  "the output dataset to finish", timeout=JOB_TIMEOUT)
    contents = galaxy["client"].datasets.get_datasets(history_id=new_history)
    datasets = [item for item in contents if item.get("hid") == 1]
    assert datasets, f"no dataset with hid 1 in history {new_history}: {contents}"
    dataset = datasets[0]
    if state != "ok":
        shown = galaxy["client"].datasets.show_dataset(dataset["id"])
        details = {name: shown.get(name) for name in ("misc_info", "misc_blurb")}
        screenshot(driver, results_dir, "model_config_history")
        pytest.fail(f"the output dataset ended in state {state!r}: {details}")
    # Show the green dataset expanded (its peek) for the screenshot.
    item_css = '#current-history-panel .content-item[data-hid="1"][data-state="ok"]'
    click(driver, visible(driver, f"{item_css} .content-title", "the dataset's title"), "the dataset's title")
    visible(driver, f"{item_css} .dataset-peek, {item_css} .details", "the dataset's details", timeout=30)
    screenshot(driver, results_dir, "model_config_history")

    assert dataset["extension"] == "json", dataset
    model = json.loads(galaxy["client"].datasets.download_dataset(dataset["id"]))
    check_tutorial_model(model)


def check_tutorial_model(model):
    """The Keras model JSON of the tutorial: Sequential, (500,), Embedding 10000/32, LSTM 100, Dense 1 sigmoid."""
    assert model.get("class_name") == "Sequential", model.get("class_name")
    config = model["config"]
    layers = {layer["class_name"]: layer["config"] for layer in config["layers"]}
    assert [layer["class_name"] for layer in config["layers"] if layer["class_name"] != "InputLayer"] == \
        ["Embedding", "LSTM", "Dense"], [layer["class_name"] for layer in config["layers"]]
    shapes = [layers.get("InputLayer", {}).get("batch_shape"), config.get("build_input_shape")]
    assert [None, 500] in shapes, shapes
    assert layers["Embedding"]["input_dim"] == 10000, layers["Embedding"]
    assert layers["Embedding"]["output_dim"] == 32, layers["Embedding"]
    assert layers["LSTM"]["units"] == 100, layers["LSTM"]
    assert layers["Dense"]["units"] == 1, layers["Dense"]
    assert layers["Dense"]["activation"] == "sigmoid", layers["Dense"]
