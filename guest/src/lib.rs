//! Write a Pactum contract module by writing its rules.
//!
//! A module is a type that implements [`Plugin`] (`load` a contract once,
//! `evaluate` a call); [`export!`] turns it into the plain ABI of
//! `docs/abi.md` (the five exports, the buffers, the packed results), so a
//! plugin holds no `unsafe` and no copy of the wire. The wire types are
//! `pactum-wire`'s, re-exported as [`wire`].
//!
//! Most contracts decide a flat object of known fields. For those,
//! [`fields`] describes the fields once and checks that a contract document
//! declares exactly them, and [`merge::decide`] applies the core's merge
//! rules (`docs/contracts.md`: unknown field 400.10, read-only 400.11,
//! `null` clears or is 400.12, the merged document checked whole, unique
//! claims, the top-level code) around the plugin's own value rules.
//!
//! ```
//! use pactum_guest::wire::{Call, Failure, Load, Outcome};
//!
//! /// Accepts every update as it is.
//! #[derive(Default)]
//! struct AcceptAll;
//!
//! impl pactum_guest::Plugin for AcceptAll {
//!     fn load(&mut self, _load: Load) -> Result<(), Failure> {
//!         Ok(())
//!     }
//!     fn evaluate(&self, call: &Call) -> Outcome {
//!         Outcome::Decision(pactum_guest::merge::accepted("200", Some(call.payload.clone()), Vec::new(), Vec::new()))
//!     }
//! }
//!
//! pactum_guest::export!(AcceptAll);
//! ```

pub mod abi;
pub mod fields;
pub mod merge;

pub use pactum_wire as wire;
pub use serde_json;

use pactum_wire::{Call, Failure, Load, Outcome};

/// A contract module. One value lives as long as its wasm instance, so what
/// `load` keeps serves every later call of that instance.
pub trait Plugin: Default + 'static {
    /// Checks `load.contract` and keeps it under `load.contract_ref`, or says
    /// why it cannot (usually `422.1` with the problems).
    fn load(&mut self, load: Load) -> Result<(), Failure>;

    /// Decides one call. Input limits have not been checked: use
    /// [`merge::decide`], which does, or `wire::limits::check`.
    fn evaluate(&self, call: &Call) -> Outcome;
}

/// Exports a [`Plugin`] as a contract module: `pactum_abi_version`,
/// `pactum_alloc`, `pactum_free`, `pactum_load` and `pactum_evaluate`, over
/// one value of the plugin for the instance's lifetime.
#[macro_export]
macro_rules! export {
    ($plugin:ty) => {
        const _: () = {
            ::std::thread_local! {
                // wasm32 has one thread: this is the instance's one plugin.
                static PLUGIN: ::std::cell::RefCell<$plugin> =
                    ::std::cell::RefCell::new(<$plugin as ::std::default::Default>::default());
            }

            #[allow(unsafe_code, reason = "the ABI's exports are unmangled by definition")]
            #[unsafe(no_mangle)]
            pub extern "C" fn pactum_abi_version() -> u32 {
                $crate::wire::ABI_VERSION
            }

            #[allow(unsafe_code, reason = "the ABI's exports are unmangled by definition")]
            #[unsafe(no_mangle)]
            pub extern "C" fn pactum_alloc(len: u32) -> *mut u8 {
                $crate::abi::alloc(len)
            }

            /// # Safety
            /// As `pactum_guest::abi::free`.
            #[allow(unsafe_code, reason = "the ABI hands raw buffers across the boundary")]
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn pactum_free(ptr: *mut u8, len: u32) {
                // SAFETY: the host keeps free's promise (docs/abi.md).
                unsafe { $crate::abi::free(ptr, len) }
            }

            /// # Safety
            /// As `pactum_guest::abi::input`.
            #[allow(unsafe_code, reason = "the ABI hands raw buffers across the boundary")]
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn pactum_load(ptr: *const u8, len: u32) -> u64 {
                // SAFETY: the host passes a live buffer from pactum_alloc.
                let input = unsafe { $crate::abi::input(ptr, len) };
                PLUGIN.with(|plugin| $crate::abi::pack($crate::abi::load(&mut *plugin.borrow_mut(), input)))
            }

            /// # Safety
            /// As `pactum_guest::abi::input`.
            #[allow(unsafe_code, reason = "the ABI hands raw buffers across the boundary")]
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn pactum_evaluate(ptr: *const u8, len: u32) -> u64 {
                // SAFETY: the host passes a live buffer from pactum_alloc.
                let input = unsafe { $crate::abi::input(ptr, len) };
                PLUGIN.with(|plugin| $crate::abi::pack($crate::abi::evaluate(&*plugin.borrow(), input)))
            }
        };
    };
}
