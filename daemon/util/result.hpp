// SPDX-License-Identifier: GPL-2.0-only
// Result<T, E>: a value or an error, for code paths where failure is an
// ordinary outcome (bad input, a missing file) rather than a bug.  g++ 12
// has no std::expected; this is the small subset hps needs.
#pragma once

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace hps {

// Wraps an error so Result's constructor can tell it from a value even when
// T and E are the same type (e.g. both std::string).
template <class E>
struct Unexpected {
	E error;
};

template <class E>
Unexpected<std::decay_t<E>> fail(E&& error)
{
	return Unexpected<std::decay_t<E>>{std::forward<E>(error)};
}

template <class T, class E>
class [[nodiscard]] Result {
public:
	Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
	template <class G>
		requires std::is_constructible_v<E, G&&>
	Result(Unexpected<G> e) : v_(std::in_place_index<1>, std::move(e.error))
	{
	}

	bool ok() const noexcept { return v_.index() == 0; }
	explicit operator bool() const noexcept { return ok(); }

	T& value() &
	{
		assert(ok());
		return std::get<0>(v_);
	}
	const T& value() const&
	{
		assert(ok());
		return std::get<0>(v_);
	}
	T&& value() &&
	{
		assert(ok());
		return std::get<0>(std::move(v_));
	}
	const E& error() const&
	{
		assert(!ok());
		return std::get<1>(v_);
	}
	E&& error() &&
	{
		assert(!ok());
		return std::get<1>(std::move(v_));
	}

	T* operator->() { return &value(); }
	const T* operator->() const { return &value(); }
	T& operator*() & { return value(); }
	const T& operator*() const& { return value(); }

private:
	std::variant<T, E> v_;
};

// Result of an operation that has no value to return, only success or an error.
template <class E>
class [[nodiscard]] Result<void, E> {
public:
	Result() = default;
	template <class G>
		requires std::is_constructible_v<E, G&&>
	Result(Unexpected<G> e) : error_(std::move(e.error))
	{
	}

	bool ok() const noexcept { return !error_.has_value(); }
	explicit operator bool() const noexcept { return ok(); }

	const E& error() const&
	{
		assert(!ok());
		return *error_;
	}
	E&& error() &&
	{
		assert(!ok());
		return std::move(*error_);
	}

private:
	std::optional<E> error_;
};

} // namespace hps
