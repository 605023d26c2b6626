// The page's one state object, shared by every module; exposed as window.slaprof for the browser tests.
export var state = {
  list: [], key: null, rec: null, grids: null, stats: null, renders: 0, events: 0,
  tab: 'prefill', showDollars: false, price: 2.0, charts: {}, options: {}, index: {}, connected: false
};
window.slaprof = state;
