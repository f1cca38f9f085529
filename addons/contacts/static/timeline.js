// "Load more" on a contact's timeline: fetch the next page and append it in
// place (the link itself works without JavaScript: it opens the next page).
document.addEventListener("click", function (event) {
  var link = event.target.closest(".contacts-timeline .timeline-more a[data-fragment]");
  if (!link) { return; }
  event.preventDefault();
  var item = link.parentNode;
  fetch(link.getAttribute("data-fragment"), {credentials: "same-origin"})
    .then(function (resp) { if (!resp.ok) { throw new Error(resp.status); } return resp.text(); })
    .then(function (html) { item.insertAdjacentHTML("beforebegin", html); item.remove(); })
    .catch(function () { window.location = link.href; });
});
