/* Component libraries a page fetches only when it draws one of their components (dashboard/web/light.py).

   A page whose own address draws none of a library's components (the board, for the tree's cytoscape) is sent
   without the library's script. The page carries, in #huddle-lazy-libraries, each library's script address and
   component names; the library's namespace holds stand-ins until the page leads (without a new document, through a
   navigation link) to one that is drawn: the first stand-in drawn fetches the script, then draws the real component
   with the same props. The library's script assigns its namespace when it runs; that assignment is caught, so Dash
   keeps resolving the stand-ins (a component whose type changed would be mounted again) and each stand-in draws
   the real one. Dash waits for `_dashprivate_isLazyComponentReady` before running callbacks on a component, as it
   does for dcc's own lazily loaded components. */
(function () {
    'use strict';
    const config = document.getElementById('huddle-lazy-libraries');
    if (!config || !window.React) {
        return;
    }
    const React = window.React;
    const libraries = JSON.parse(config.textContent);

    Object.keys(libraries).forEach(function (namespace) {
        if (window[namespace]) {
            return; // the page carries the library's script itself (eager loading): nothing to stand in for
        }
        const library = libraries[namespace];
        let real = null;
        let loading = null;

        function load() {
            if (!loading) {
                loading = new Promise(function (resolve, reject) {
                    const script = document.createElement('script');
                    script.src = library.url;
                    script.onload = function () {
                        if (real) {
                            resolve(true);
                        } else {
                            reject(new Error(namespace + ' did not define its components'));
                        }
                    };
                    script.onerror = function () {
                        loading = null; // the next stand-in drawn tries again
                        reject(new Error(namespace + ' could not be fetched from ' + library.url));
                    };
                    document.head.appendChild(script);
                });
            }
            return loading;
        }

        function standIn(type) {
            function Lazy(props) {
                const [ready, setReady] = React.useState(real !== null);
                const [failure, setFailure] = React.useState(null);
                React.useEffect(function () {
                    let mounted = true;
                    if (!ready) {
                        load().then(function () {
                            if (mounted) {
                                setReady(true);
                            }
                        }, function (error) {
                            if (mounted) {
                                setFailure(error);
                            }
                        });
                    }
                    return function () {
                        mounted = false;
                    };
                }, [ready]);
                if (failure) {
                    throw failure; // Dash shows the component's error in its place
                }
                return ready ? React.createElement(real[type], props) : null;
            }
            Lazy.displayName = 'Lazy(' + type + ')';
            Object.defineProperty(Lazy, '_dashprivate_isLazyComponentReady', {
                get: function () {
                    return real !== null ? true : load();
                }
            });
            return Lazy;
        }

        const standIns = {};
        library.components.forEach(function (type) {
            standIns[type] = standIn(type);
        });
        Object.defineProperty(window, namespace, {
            configurable: true,
            get: function () {
                return standIns;
            },
            set: function (module) {
                real = module; // the library's script ran
            }
        });
    });
}());
