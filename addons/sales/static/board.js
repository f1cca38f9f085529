/* The pipeline board: drag a card to another column (HTML5 drag and drop with
   a mouse; pointer events on the card's grip for touch and pen), or use the
   card's "Move to" menu. Every move is a POST with the page's CSRF token; the
   server answers the new column totals, or a message and the card goes back. */
(function () {
  "use strict";
  var page = document.querySelector(".sales-board-page");
  if (!page) { return; }
  var board = page.querySelector(".sales-board");
  var zones = page.querySelector(".board-outcome-zones");
  var message = page.querySelector(".board-message");
  var dialog = document.getElementById("board-lost-dialog");
  var filters = window.location.search;  // the board's team, owner, search, period

  function showMessage(text) {
    message.textContent = text;
    message.hidden = !text;
  }

  function post(url, body) {
    return fetch(url + filters, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": page.dataset.csrf,
                "Accept": "application/json"},
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().catch(function () {
        return {ok: false, message: resp.status + " " + resp.statusText};
      });
    });
  }

  function column(stageId) {
    return board.querySelector('.board-column[data-stage-id="' + stageId + '"]');
  }

  function updateTotals(columns) {
    (columns || []).forEach(function (c) {
      var col = column(c.stage_id);
      if (!col) { return; }
      var totals = col.querySelector(".board-totals");
      totals.dataset.count = c.count;
      totals.dataset.total = c.total;
      totals.querySelector(".board-count").textContent = c.count;
      totals.querySelector(".board-total").textContent = c.label;
    });
  }

  function remember(card) {
    return {parent: card.parentNode, next: card.nextSibling};
  }

  function putBack(card, place) {
    if (card.parentNode !== place.parent) {
      place.parent.insertBefore(card, place.next && place.next.parentNode === place.parent
        ? place.next : null);
    }
    card.hidden = false;
  }

  function syncMenu(card, stageId) {
    var select = card.querySelector(".board-move");
    if (!select) { return; }
    Array.prototype.forEach.call(select.options, function (o) {
      o.disabled = o.value !== "" && o.value === String(stageId);
    });
    select.value = "";
  }

  function moveCard(card, stageId) {
    var from = card.closest(".board-column");
    if (from && from.dataset.stageId === String(stageId)) { return; }
    var target = column(stageId);
    var place = remember(card);
    showMessage("");
    if (target) {
      var list = target.querySelector(".board-cards");
      if (list) { list.insertBefore(card, list.firstChild); } else { card.hidden = true; }
    }
    card.classList.add("board-pending");
    post(page.dataset.moveUrl, {lead_id: Number(card.dataset.leadId), stage_id: Number(stageId)})
      .then(function (answer) {
        card.classList.remove("board-pending");
        if (!answer.ok) {
          putBack(card, place);
          syncMenu(card, from ? from.dataset.stageId : "");
          showMessage(answer.message);
          return;
        }
        updateTotals(answer.columns);
        if (answer.status !== "open") {  // won: no longer movable
          card.setAttribute("draggable", "false");
          card.classList.add("board-card-won");
          var select = card.querySelector(".board-move");
          if (select) { select.remove(); }
          if (card.hidden) { card.remove(); }
        } else {
          syncMenu(card, stageId);
        }
      })
      .catch(function (err) {
        card.classList.remove("board-pending");
        putBack(card, place);
        showMessage(String(err));
      });
  }

  /* -- lost ---------------------------------------------------------------- */
  var lostCard = null;

  function askLost(card) {
    lostCard = card;
    dialog.querySelector(".board-dialog-lead").textContent =
      card.querySelector(".board-card-name").textContent;
    dialog.querySelector("form").reset();
    dialog.hidden = false;
    dialog.querySelector("select").focus();
  }

  function closeDialog() {
    dialog.hidden = true;
    if (lostCard) { syncMenu(lostCard, lostCard.closest(".board-column").dataset.stageId); }
    lostCard = null;
  }

  dialog.querySelector(".board-dialog-cancel").addEventListener("click", closeDialog);
  dialog.addEventListener("keydown", function (e) { if (e.key === "Escape") { closeDialog(); } });
  dialog.querySelector("form").addEventListener("submit", function (e) {
    e.preventDefault();
    var card = lostCard;
    var form = e.target;
    post(page.dataset.lostUrl, {lead_id: Number(card.dataset.leadId),
                                reason_id: Number(form.reason_id.value) || null,
                                note: form.note.value})
      .then(function (answer) {
        if (!answer.ok) { showMessage(answer.message); closeDialog(); return; }
        dialog.hidden = true;
        lostCard = null;
        card.remove();
        updateTotals(answer.columns);
        showMessage("");
      })
      .catch(function (err) { showMessage(String(err)); closeDialog(); });
  });

  function dropOn(card, target) {
    if (!target) { return; }
    if (target.dataset.lost) { askLost(card); return; }
    moveCard(card, target.dataset.stageId);
  }

  /* -- the "Move to" menu ---------------------------------------------------- */
  board.addEventListener("change", function (e) {
    if (!e.target.classList.contains("board-move") || !e.target.value) { return; }
    var card = e.target.closest(".board-card");
    if (e.target.value === "lost") { askLost(card); } else { moveCard(card, e.target.value); }
  });

  /* -- load more ------------------------------------------------------------- */
  board.addEventListener("click", function (e) {
    var more = e.target.closest(".board-more");
    if (!more) { return; }
    var col = more.closest(".board-column");
    var params = new URLSearchParams(filters);
    params.set("stage_id", col.dataset.stageId);
    params.set("after", more.dataset.after);
    more.disabled = true;
    fetch(page.dataset.cardsUrl + "?" + params.toString(), {credentials: "same-origin"})
      .then(function (resp) { return resp.json(); })
      .then(function (answer) {
        more.disabled = false;
        if (!answer.ok) { showMessage(answer.message); return; }
        var list = col.querySelector(".board-cards");
        var seen = {};
        list.querySelectorAll(".board-card").forEach(function (c) { seen[c.dataset.leadId] = 1; });
        var box = document.createElement("div");
        box.innerHTML = answer.html;
        box.querySelectorAll(".board-card").forEach(function (c) {
          if (!seen[c.dataset.leadId]) { list.appendChild(c); }  // a card moved here meanwhile
        });
        more.dataset.after = answer.next || "";
        more.hidden = !answer.next;
      })
      .catch(function (err) { more.disabled = false; showMessage(String(err)); });
  });

  /* -- drag targets ---------------------------------------------------------- */
  function targetAt(x, y) {
    var el = document.elementFromPoint(x, y);
    return el ? el.closest(".board-column, .board-zone") : null;
  }

  function highlight(target) {
    page.querySelectorAll(".board-drop-target").forEach(function (el) {
      if (el !== target) { el.classList.remove("board-drop-target"); }
    });
    if (target) { target.classList.add("board-drop-target"); }
  }

  function startDrag(card) {
    card.classList.add("board-dragging");
    zones.classList.add("board-active");
  }

  function endDrag(card) {
    card.classList.remove("board-dragging");
    zones.classList.remove("board-active");
    highlight(null);
  }

  /* HTML5 drag and drop (mouse) */
  var dragged = null;
  page.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest('.board-card[draggable="true"]');
    if (!card) { return; }
    dragged = card;
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.leadId);
    startDrag(card);
  });
  page.addEventListener("dragover", function (e) {
    if (!dragged) { return; }
    var target = e.target.closest && e.target.closest(".board-column, .board-zone");
    if (target) { e.preventDefault(); e.dataTransfer.dropEffect = "move"; }
    highlight(target);
  });
  page.addEventListener("drop", function (e) {
    if (!dragged) { return; }
    e.preventDefault();
    var card = dragged;
    var target = e.target.closest && e.target.closest(".board-column, .board-zone");
    endDrag(card);
    dragged = null;
    dropOn(card, target);
  });
  page.addEventListener("dragend", function () {
    if (dragged) { endDrag(dragged); dragged = null; }
  });

  /* Pointer events on the grip (touch and pen: phones do not fire HTML5 drag) */
  var touch = null;
  board.addEventListener("pointerdown", function (e) {
    if (e.pointerType === "mouse") { return; }
    var grip = e.target.closest(".board-grip");
    var card = grip && grip.closest('.board-card[draggable="true"]');
    if (!card) { return; }
    e.preventDefault();
    try { grip.setPointerCapture(e.pointerId); } catch (err) { /* pointer already gone */ }
    var ghost = card.cloneNode(true);
    ghost.classList.add("board-ghost");
    ghost.removeAttribute("id");
    document.body.appendChild(ghost);
    touch = {card: card, ghost: ghost, grip: grip, id: e.pointerId};
    startDrag(card);
    moveGhost(e);
  });

  function moveGhost(e) {
    touch.ghost.style.left = (e.clientX - 20) + "px";
    touch.ghost.style.top = (e.clientY - 20) + "px";
    var rect = board.getBoundingClientRect();
    if (e.clientX > rect.right - 30) { board.scrollLeft += 20; }  // scroll towards hidden columns
    if (e.clientX < rect.left + 30) { board.scrollLeft -= 20; }
    highlight(targetAt(e.clientX, e.clientY));
  }

  function finishTouch(e, drop) {
    if (!touch || e.pointerId !== touch.id) { return; }
    var t = touch;
    touch = null;
    t.ghost.remove();
    var target = drop ? targetAt(e.clientX, e.clientY) : null;
    endDrag(t.card);
    dropOn(t.card, target);
  }

  board.addEventListener("pointermove", function (e) {
    if (touch && e.pointerId === touch.id) { e.preventDefault(); moveGhost(e); }
  });
  board.addEventListener("pointerup", function (e) { finishTouch(e, true); });
  board.addEventListener("pointercancel", function (e) { finishTouch(e, false); });
})();
