//! Desktop entry point of the app; everything else is in the library so mobile shares it.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    assistant_app_lib::run()
}
