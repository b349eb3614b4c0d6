"""What a person does in Galaxy's web UI, as Selenium steps the browser tests share.

Waits are explicit (an element, a state, a value), never fixed sleeps; every wait names what it
waited for when it times out. Selectors follow Galaxy's own (`galaxy/navigation/navigation.yml`
in Galaxy's venv).
"""

import time
from pathlib import Path

from selenium.common.exceptions import (ElementClickInterceptedException, StaleElementReferenceException,
                                        TimeoutException)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import JOB_TIMEOUT, UI_TIMEOUT

TERMINAL_STATES = {"ok", "error", "failed_metadata", "discarded", "deferred", "paused"}
HISTORY_PANEL = "#current-history-panel"


# --------------------------------------------------------------------------- waiting

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


# --------------------------------------------------------------------------- screenshots

def screenshot(driver, results_dir, name):
    path = Path(results_dir) / f"{name}.png"
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


class Steps:
    """Numbered screenshots of one walk-through: 01_upload_dialog.png, 02_..., in one folder."""

    def __init__(self, driver, folder):
        self.driver, self.folder, self.count = driver, Path(folder), 0
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("[0-9][0-9]_*.png"):  # a shorter earlier run leaves none behind
            old.unlink()

    def shot(self, name, tall_css=None):
        self.count += 1
        stem = f"{self.count:02d}_{name}"
        if tall_css:
            return tall_screenshot(self.driver, self.folder, stem, tall_css)
        return screenshot(self.driver, self.folder, stem)


# --------------------------------------------------------------------------- session

def browser_fetch(driver, path, as_json=True):
    """GET a Galaxy path with the browser's own session (its cookie): JSON, or
    {"status", "type", "size", "magic"} (the first bytes in hex) for other content."""
    result = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], {credentials: 'same-origin'}).then(async r => {
            if (arguments[1]) { return done(await r.json()); }
            const bytes = new Uint8Array(await r.arrayBuffer());
            done({status: r.status, type: r.headers.get('content-type'), size: bytes.length,
                  magic: Array.from(bytes.slice(0, 8)).map(b => b.toString(16).padStart(2, '0')).join('')});
        }).catch(e => done({'browser_fetch_error': String(e)}));""", path, as_json)
    if isinstance(result, dict) and "browser_fetch_error" in result:
        raise AssertionError(f"fetch {path} in the browser failed: {result['browser_fetch_error']}")
    return result


def browser_get_json(driver, path):
    return browser_fetch(driver, path, as_json=True)


def current_user_email(driver):
    try:
        return (browser_get_json(driver, "/api/users/current") or {}).get("email")
    except AssertionError:
        return None


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


def ensure_logged_in(driver, galaxy):
    driver.get(galaxy["url"] + "/")
    visible(driver, "#masthead", "Galaxy's masthead")
    if current_user_email(driver) != galaxy["user_email"]:
        login(driver, galaxy)
    return driver


def create_history(driver, client, name):
    """A new, empty current history made with the history panel's "+" button, named `name`
    (histories of that name that earlier runs left are purged first). Returns its id."""
    for history in client.histories.get_histories(name=name):
        client.histories.delete_history(history["id"], purge=True)
    before = browser_get_json(driver, "/history/current_history_json")["id"]
    button = visible(driver, '[data-description="create new history"]', "the create-new-history button")
    click(driver, button, "the create-new-history button")

    def switched(d):  # the id of the new current history, once the switch is done
        current = (browser_get_json(d, "/history/current_history_json") or {}).get("id")
        return current if current not in (None, before) else False

    history_id = until(driver, switched, "a new current history")
    client.histories.update_history(history_id, name=name)
    until(driver, EC.text_to_be_present_in_element(
        (By.CSS_SELECTOR, HISTORY_PANEL), name), "the history panel to show the new name")
    return history_id


# --------------------------------------------------------------------------- tool panel and forms

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


def open_tool(driver, search_text, tool_id):
    """Open a tool as a person does: type (part of) its name into the tool panel's search box
    and click the tool in the results. Waits until the form has loaded and settled."""
    open_tool_panel(driver)
    search = visible(driver, '#toolbox-panel input[data-description="filter text input"]', "the tool search box")
    click(driver, search, "the tool search box")
    search.send_keys(Keys.CONTROL, "a")
    search.send_keys(search_text)
    link = visible(driver, f'#toolbox-panel a.tool-link[data-tool-id="{tool_id}"]',
                   f"{tool_id} among the search results for {search_text!r}")
    click(driver, link, f"the tool {tool_id}")
    until(driver, lambda d: f"tool_id={tool_id}" in d.current_url, f"the page of {tool_id}")
    visible(driver, "button#execute", "the tool form's Run Tool button")
    # The form rebuilds itself once the history panel has loaded the current history: let that
    # happen before typing, or the rebuild could reset a value.
    wait_form_idle(driver, f"loading the form of {tool_id}")


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
    """CSS of a form parameter's block, by its expanded name (as navigation.yml does)."""
    return f'div.ui-form-element[id="form-element-{param}"]'


def check_label(driver, param, label):
    """The field `param` is shown under the label `label` (the words of the tutorial's hands-on)."""
    if label is None:
        return
    block = visible(driver, form_element(param), f"the field {param}")
    titles = block.find_elements(By.CSS_SELECTOR, ".ui-form-title-text")
    if not titles:
        # The selector of a conditional has no title of its own: Galaxy shows its label as the
        # header of the conditional's box around it.
        titles = block.find_elements(By.XPATH, "./ancestor::div[contains(@class, 'ui-portlet-section')][1]"
                                               "/div[contains(@class, 'portlet-header')]")
    assert titles, f"no label shown for {param}"
    shown = " ".join(titles[0].text.split())
    assert shown == label, f"the field {param} is labelled {shown!r}, not {label!r}"


def selected_value(driver, param):
    blocks = driver.find_elements(By.CSS_SELECTOR, f"{form_element(param)} [data-selected-value]")
    return blocks[0].get_attribute("data-selected-value") if blocks else None


def _pick_option(driver, block, param, text, exact=True):
    """Open the select of `block`, type `text`, take the option that reads `text` (or, with
    exact=False, the first that starts with it). Returns the option's text."""
    widget = visible(driver, f"{block} .multiselect", f"the select of {param}")
    click(driver, widget, f"the select of {param}")
    search = visible(driver, f"{block} .multiselect.multiselect--active input.multiselect__input",
                     f"the open option list of {param}")
    search.send_keys(text)

    def matching(d):
        for option in d.find_elements(By.CSS_SELECTOR, f"{block} .multiselect__option"):
            shown = " ".join(option.text.split())
            if option.is_displayed() and (shown == text or (not exact and shown.startswith(text))):
                return option, shown
        return False

    option, shown = until(driver, matching, f"the option {text!r} of {param}")
    click(driver, option, f"the option {shown!r}")
    until(driver, EC.invisibility_of_element_located(
        (By.CSS_SELECTOR, f"{block} .multiselect__content-wrapper")), f"the option list of {param} to close")
    return shown


def choose(driver, param, text, value, label=None):
    """Choose an option of a select field by its text, as a person does (click, type, click the
    option), and check the form took `value`. An option already chosen is left as it is: a
    person reads it and moves on."""
    block = form_element(param)
    wait_form_idle(driver, f"the change before {param}")
    visible(driver, block, f"the field {param}")
    check_label(driver, param, label)
    if selected_value(driver, param) == value:
        shown = " ".join(driver.find_element(By.CSS_SELECTOR, f"{block} .multiselect").text.split())
        assert text in shown, f"{param} holds {value!r} but shows {shown!r}, not {text!r}"
        return
    _pick_option(driver, block, param, text)
    until(driver, EC.presence_of_element_located(
        (By.CSS_SELECTOR, f'{block} [data-selected-value="{value}"]')), f"{param} to become {value!r}")


def choose_dataset(driver, param, hid, name, label=None):
    """Choose a history dataset in a data field, by its hid and name ("3: X_train")."""
    block = form_element(param)
    wait_form_idle(driver, f"the change before {param}")
    visible(driver, block, f"the field {param}")
    check_label(driver, param, label)
    text = f"{hid}: {name}"

    def shown(d):
        single = d.find_elements(By.CSS_SELECTOR, f"{block} .multiselect__single")
        return " ".join(single[0].text.split()) if single else ""

    if shown(driver) != text:
        _pick_option(driver, block, param, text)
    until(driver, lambda d: shown(d) == text, f"{param} to show {text!r}")


def type_value(driver, param, value, label=None):
    """Replace a text or number field's value as a person does: select all, type."""
    wait_form_idle(driver, f"the change before {param}")
    check_label(driver, param, label)
    field = visible(driver, f"{form_element(param)} input", f"the field {param}")
    click(driver, field, f"the field {param}")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(value)
    until(driver, lambda d: field.get_attribute("value") == value, f"{param} to read {value!r}")


def field_value(driver, param):
    """What a text or number field shows now."""
    return driver.find_element(By.CSS_SELECTOR, f"{form_element(param)} input").get_attribute("value")


def check_boolean(driver, param, expected, label=None):
    """A Yes/No field shows `expected` (True: Yes)."""
    check_label(driver, param, label)
    box = driver.find_element(By.CSS_SELECTOR, f"{form_element(param)} input[type='checkbox']")
    assert box.is_selected() == expected, f"{param} is {'Yes' if box.is_selected() else 'No'}"


def set_boolean(driver, param, value, label=None):
    """Switch a Yes/No field to `value` (True: Yes) by clicking its switch."""
    wait_form_idle(driver, f"the change before {param}")
    check_label(driver, param, label)
    block = form_element(param)
    box = driver.find_element(By.CSS_SELECTOR, f"{block} input[type='checkbox']")
    if box.is_selected() != value:
        # The switch's label is what takes the click (the input itself is hidden behind it).
        switch = driver.find_element(By.CSS_SELECTOR, f"{block} label.custom-control-label")
        click(driver, switch, f"the switch of {param}")
    until(driver, lambda d: d.find_element(By.CSS_SELECTOR, f"{block} input[type='checkbox']").is_selected() == value,
          f"{param} to be {'Yes' if value else 'No'}")


def run_tool(driver, history_id, client, outputs, what):
    """Click Run Tool; wait until the job's `outputs` new datasets are in the history panel and
    finished. Returns [(hid, name)] of the new datasets in hid order; fails with the job's
    message when one did not end green."""
    before = max((item["hid"] for item in client.histories.show_history(history_id, contents=True)), default=0)
    wait_form_idle(driver, f"filling in {what}")
    execute = visible(driver, "button#execute", "the Run Tool button")
    until(driver, lambda d: execute.get_attribute("aria-disabled") != "true",
          f"the Run Tool button of {what} to be enabled (the form has no error)")
    click(driver, execute, f"Run Tool ({what})")
    hids = list(range(before + 1, before + 1 + outputs))
    for hid in hids:
        visible(driver, f'{HISTORY_PANEL} .content-item[data-hid="{hid}"]', f"output {hid} of {what} in the history")
    return [(hid, wait_ok(driver, client, history_id, hid, what)) for hid in hids]


def wait_ok(driver, client, history_id, hid, what, timeout=JOB_TIMEOUT):
    """Wait in the history panel until dataset `hid` is finished; it must be green. Its name back."""
    state = until(driver, lambda d: (item_state(d, hid) in TERMINAL_STATES) and item_state(d, hid),
                  f"dataset {hid} ({what}) to finish", timeout=timeout)
    if state != "ok":
        shown = dataset_by_hid(client, history_id, hid)
        details = {key: shown.get(key) for key in ("name", "misc_info", "misc_blurb")}
        raise AssertionError(f"dataset {hid} of {what} ended in state {state!r}: {details}")
    return item_name(driver, hid)


def dataset_by_hid(client, history_id, hid):
    matches = [item for item in client.histories.show_history(history_id, contents=True) if item["hid"] == hid]
    assert matches, f"no dataset {hid} in history {history_id}"
    return client.datasets.show_dataset(matches[0]["id"])


# --------------------------------------------------------------------------- history panel

def item_css(hid):
    return f'{HISTORY_PANEL} .content-item[data-hid="{hid}"]'


def item_state(driver, hid):
    items = driver.find_elements(By.CSS_SELECTOR, item_css(hid))
    return items[0].get_attribute("data-state") if items else None


def item_name(driver, hid):
    return " ".join(driver.find_element(By.CSS_SELECTOR, f"{item_css(hid)} .content-title").text.split())


def expand_item(driver, hid):
    """Click a dataset's title in the history panel, as a person does to read about it, and
    return the text the expanded item shows (summary, info and peek), once its peek is there."""
    css = item_css(hid)
    if not driver.find_elements(By.CSS_SELECTOR, f"{css} .details"):
        click(driver, visible(driver, f"{css} .content-title", f"the title of dataset {hid}"),
              f"the title of dataset {hid}")
    visible(driver, f"{css} .details.not-loading .dataset-peek", f"the details and peek of dataset {hid}")

    def loaded(d):  # the summary and the peek fill in after the box opens
        text = " ".join(d.find_element(By.CSS_SELECTOR, f"{css} .details").text.split())
        return text if "loading" not in text.lower() and text else False

    return until(driver, loaded, f"the details of dataset {hid} to load")


def collapse_item(driver, hid):
    css = item_css(hid)
    if driver.find_elements(By.CSS_SELECTOR, f"{css} .details"):
        click(driver, driver.find_element(By.CSS_SELECTOR, f"{css} .content-title"), f"the title of dataset {hid}")
        until(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, f"{css} .details"),
              f"dataset {hid} to fold")


def item_datatype(driver, hid):
    """The format the history panel shows for an expanded dataset."""
    return driver.find_element(By.CSS_SELECTOR, f"{item_css(hid)} .datatype .value").text.strip()


ATTRIBUTES = '[aria-labelledby="dataset-attributes-heading"]'


def open_attributes(driver, hid):
    """The dataset's "Edit attributes" (pencil) button: its attributes form in the centre panel."""
    button = visible(driver, f"{item_css(hid)}[data-state='ok'] .edit-btn", f"the Edit attributes button of {hid}")
    click(driver, button, f"Edit attributes of dataset {hid}")
    visible(driver, f"{ATTRIBUTES} input#name", "the Name field of Edit Dataset Attributes")


def rename(driver, hid, name, before_save=None):
    """Edit attributes -> Name -> Save; waits until the history panel shows the new name.
    `before_save()` runs with the form filled in (a screenshot)."""
    open_attributes(driver, hid)
    field = visible(driver, f"{ATTRIBUTES} input#name", "the Name field")
    click(driver, field, "the Name field")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(name)
    until(driver, lambda d: field.get_attribute("value") == name, f"the Name field to read {name!r}")
    if before_save:
        before_save()
    click(driver, visible(driver, "#dataset-attributes-default-save", "the Save button"), "Save")
    until(driver, lambda d: item_name(d, hid) == name, f"dataset {hid} to be named {name!r} in the history")


def change_datatype(driver, hid, datatype, before_save=None):
    """Edit attributes -> Datatypes tab -> New Type -> Save; waits for Galaxy's answer only (see
    wait_datatype for the dataset itself)."""
    open_attributes(driver, hid)
    click(driver, visible(driver, f"{ATTRIBUTES} .dataset-edit-datatype-tab", "the Datatypes tab"), "Datatypes")
    choose(driver, "datatype", datatype, datatype, label="New Type")
    pane = driver.find_element(By.CSS_SELECTOR, f"{ATTRIBUTES} .tab-pane.active")
    save = until(driver, lambda d: next((button for button in pane.find_elements(By.TAG_NAME, "button")
                                         if button.text.strip() == "Save"), False), "the Save button of Datatypes")
    if before_save:
        before_save()
    click(driver, save, "Save (datatype)")

    def answered(d):
        # Galaxy shows a message, or (once the new type is set) renders the form anew on its
        # Attributes tab; an error message fails at once.
        for alert in d.find_elements(By.CSS_SELECTOR, f"{ATTRIBUTES} .dataset-attributes-alert"):
            assert "danger" not in (alert.get_attribute("class") or ""), f"the datatype change failed: {alert.text}"
            if alert.is_displayed():
                return True
        return not d.find_elements(By.CSS_SELECTOR, f"{ATTRIBUTES} .dataset-edit-datatype-tab.active")

    until(driver, answered, "Galaxy's answer to the datatype change")


def wait_datatype(driver, hid, datatype):
    """Wait until the history panel shows dataset `hid` green with the format `datatype` (after
    a datatype change Galaxy sets its metadata anew in a job)."""
    until(driver, lambda d: item_state(d, hid) == "ok" and expand_item(d, hid) and item_datatype(d, hid) == datatype,
          f"dataset {hid} to be {datatype} and green", timeout=JOB_TIMEOUT)


def upload_from_disk(driver, paths, steps=None):
    """Galaxy's Upload dialog: Choose local file, the files, Start, Close. Selenium types the
    paths into the dialog's file input, which is what choosing them from disk does."""
    click(driver, visible(driver, "#activity-upload", "the Upload activity"), "Upload")
    click(driver, visible(driver, "div#regular button#btn-local", "Choose local file"), "Choose local file")
    files = until(driver, EC.presence_of_element_located((By.CSS_SELECTOR, 'div#regular input[type="file"]')),
                  "the upload dialog's file input")
    files.send_keys("\n".join(str(path) for path in paths))
    rows = "div#regular .upload-row"
    until(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, rows)) == len(paths),
          f"{len(paths)} rows in the upload dialog")
    shown = [" ".join(row.get_attribute("value").split())
             for row in driver.find_elements(By.CSS_SELECTOR, f"{rows} input.upload-title")]
    assert sorted(shown) == sorted(Path(path).name for path in paths), shown
    if steps:
        steps.shot("upload_dialog")
    click(driver, visible(driver, "div#regular button#btn-start", "Start"), "Start")

    def sent(d):  # every row uploaded (a failed row fails the test at once)
        classes = [row.get_attribute("class") for row in d.find_elements(By.CSS_SELECTOR, rows)]
        assert not any("upload-error" in c for c in classes), f"an upload failed: {classes}"
        return all("upload-success" in c for c in classes)

    until(driver, sent, "the uploads to finish", timeout=JOB_TIMEOUT)
    click(driver, visible(driver, "div#regular button#btn-close", "Close"), "Close")
    until(driver, EC.invisibility_of_element_located((By.CSS_SELECTOR, ".upload-dialog")), "the upload dialog to close")


# --------------------------------------------------------------------------- centre panel

def view_dataset(driver, hid):
    """The dataset's eye button: its content in the centre panel."""
    click(driver, visible(driver, f"{item_css(hid)} .display-btn", f"the eye button of dataset {hid}"),
          f"the eye button of dataset {hid}")
    visible(driver, "#center .dataset-view", "the dataset view in the centre panel")


def shown_image(driver):
    """The image the centre panel shows, once loaded: (naturalWidth, naturalHeight, src)."""
    def loaded(d):
        for frame_or_doc in d.execute_script("""
            const found = [];
            const look = (doc) => doc.querySelectorAll('img').forEach(
                img => found.push([img.naturalWidth, img.naturalHeight, img.currentSrc || img.src, img.complete]));
            look(document.querySelector('#center'));
            document.querySelectorAll('#center iframe').forEach(f => { try { look(f.contentDocument); } catch (e) {} });
            return found;"""):
            width, height, src, complete = frame_or_doc
            if complete and width > 0 and "dataset" in src:  # the dataset, not an icon
                return width, height, src
        return False

    return until(driver, loaded, "the image to be loaded in the centre panel")


def shown_table_header(driver):
    """The column names the centre panel's table gives its columns: Galaxy labels each cell with
    the dataset's column_names metadata (data-label); without that metadata it has none to give."""
    def header(d):
        cells = d.find_elements(By.CSS_SELECTOR, "#center .dataset-display table tbody tr:first-child td")
        titles = [cell.get_attribute("data-label") or "" for cell in cells]
        return titles if titles else False

    return until(driver, header, "the table in the centre panel")


def shown_table_rows(driver, limit=5):
    rows = driver.find_elements(By.CSS_SELECTOR, "#center .dataset-display table tbody tr")[:limit]
    return [[" ".join(td.text.split()) for td in row.find_elements(By.TAG_NAME, "td")] for row in rows]
