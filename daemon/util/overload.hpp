// SPDX-License-Identifier: GPL-2.0-only
// Overload{lambdas...}: one callable with every lambda's operator(), for
// std::visit over a variant with one case per alternative.
#pragma once

namespace hps {

template <class... F>
struct Overload : F... {
	using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

} // namespace hps
