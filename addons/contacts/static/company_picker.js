// A person's company: FAB's select2 asks the contacts addon for ~20 companies
// matching what the user types (views/company_picker.py), instead of the page
// listing every company. Without JavaScript the select keeps the current one.
(function () {
  function setUp() {
    var $ = window.jQuery;
    if (!$ || !$.fn.select2) { return; }
    $("select.contacts-company-picker").not(".select2-hidden-accessible").each(function () {
      var select = $(this);
      select.select2({
        theme: "bootstrap",
        width: "100%",
        allowClear: true,
        placeholder: select.data("placeholder"),
        minimumInputLength: 1,
        ajax: {
          url: select.data("endpoint"),
          dataType: "json",
          delay: 250,
          data: function (params) { return {q: params.term}; }
        }
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
