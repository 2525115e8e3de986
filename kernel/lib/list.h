// Intrusive doubly linked list: the node lives inside the element, so
// insertion never allocates (safe in interrupt context).
#pragma once

#include <stddef.h>

namespace kernel {

struct ListNode {
    ListNode* prev = nullptr;
    ListNode* next = nullptr;
    bool linked() const { return next != nullptr; }
};

template <typename T, ListNode T::*Member>
class IntrusiveList {
public:
    IntrusiveList() { m_head.prev = m_head.next = &m_head; }
    IntrusiveList(const IntrusiveList&) = delete;
    IntrusiveList& operator=(const IntrusiveList&) = delete;

    bool empty() const { return m_head.next == &m_head; }
    size_t size() const {
        size_t n = 0;
        for (auto* p = m_head.next; p != &m_head; p = p->next)
            ++n;
        return n;
    }
    void push_back(T& item) { insert_before(&m_head, item); }
    void push_front(T& item) { insert_before(m_head.next, item); }
    // Inserts before `pos` (an element of this list).
    void insert_before(T& pos, T& item) { insert_before(&(pos.*Member), item); }
    static void remove(T& item) {
        ListNode& n = item.*Member;
        if (!n.linked())
            return;
        n.prev->next = n.next;
        n.next->prev = n.prev;
        n.prev = n.next = nullptr;
    }
    T* front() const { return empty() ? nullptr : from_node(m_head.next); }
    T* pop_front() {
        T* t = front();
        if (t)
            remove(*t);
        return t;
    }
    T* next(T& item) const {
        ListNode* n = (item.*Member).next;
        return n == &m_head ? nullptr : from_node(n);
    }

    class Iterator {
    public:
        Iterator(ListNode* n, const ListNode* head) : m_node(n), m_head(head) {}
        T& operator*() const { return *from_node(m_node); }
        Iterator& operator++() {
            m_node = m_node->next;
            return *this;
        }
        bool operator!=(const Iterator& o) const { return m_node != o.m_node; }

    private:
        ListNode* m_node;
        const ListNode* m_head;
    };
    Iterator begin() const { return Iterator(m_head.next, &m_head); }
    Iterator end() const { return Iterator(const_cast<ListNode*>(&m_head), &m_head); }

private:
    static T* from_node(ListNode* n) {
        auto offset = reinterpret_cast<size_t>(&(static_cast<T*>(nullptr)->*Member));
        return reinterpret_cast<T*>(reinterpret_cast<char*>(n) - offset);
    }
    void insert_before(ListNode* pos, T& item) {
        ListNode& n = item.*Member;
        n.next = pos;
        n.prev = pos->prev;
        pos->prev->next = &n;
        pos->prev = &n;
    }

    ListNode m_head;
};

} // namespace kernel
